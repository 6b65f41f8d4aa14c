import { tmpdir } from 'node:os';
import path from 'node:path';

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

/**
 * Where the e2e server writes the ids it seeded (`SeededIds`), for specs to read: the API lists no
 * tasks, so the seed, not a guess, says which task is which.
 */
export const e2eSeededIdsPath = path.join(tmpdir(), `annex-e2e-${e2ePort}-seeded-ids.json`);

/** Ids the e2e server seeded that the API cannot list. */
export interface SeededIds {
  /** A complete task of the demo on `street-03.jpg`, a file not marked complete. */
  demoTaskOnIncompleteFile: number;
  /** A complete task of the bulk project on a file not marked complete (and not removed). */
  bulkTaskOnIncompleteFile: number;
}
