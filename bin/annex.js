#!/usr/bin/env node
// The `annex` command (package.json "bin"): runs the TypeScript CLI through tsx, in this process,
// so `npx annex …` works from the repo with no build step. Exit code and streams are the CLI's own.
import { tsImport } from 'tsx/esm/api';

await tsImport('../src/sdk/cli/main.ts', import.meta.url);
