import { z } from 'zod';

// The panel's Content-Security-Policy allows no eval. zod compiles object parsers with `new
// Function` when it can, probing for it as each schema is built: under the CSP each probe is a
// reported violation, and zod falls back to plain parsing anyway. Imported first in main.tsx, so
// it runs before any schema (the contract's) is built.
z.config({ jitless: true });
