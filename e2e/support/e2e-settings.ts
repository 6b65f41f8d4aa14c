/** The port the e2e server listens on (8080 stays free for a developer's own `npm start`). */
export const e2ePort = 8181;

/** The base URL of the e2e server. */
export const e2eBaseUrl = `http://127.0.0.1:${e2ePort}`;

/** The seeded demo project. */
export const demoProject = 'demo';

/** A bulk project big enough that exporting it takes a few seconds. */
export const e2eBulkProject = 'bulk-e2e';

/** Files in the bulk project (ANNEX_E2E_BULK_FILES overrides it, to try the preview on a larger file). */
export const e2eBulkFiles = Number(process.env.ANNEX_E2E_BULK_FILES ?? 20_000);
