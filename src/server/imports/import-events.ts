import { EventEmitter } from 'node:events';

// In-process signal from the import routes to the import worker when they share a process
// (`npm start`): a queued import starts at once instead of at the worker's next poll. Across
// processes nothing is lost without it: the worker polls.

/** What the import routes tell a worker in the same process. */
interface ImportEventMap {
  /** An import was queued. */
  queued: [importId: number];
}

/** The in-process channel between the import routes and the import worker. */
export class ImportEvents extends EventEmitter<ImportEventMap> {}
