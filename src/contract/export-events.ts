import { z } from 'zod';
import { exportStatuses } from './exports.ts';

/*
 * The live export stream, `GET /api/v1/projects/:project/exports/events` (text/event-stream): one
 * event per change of one of the project's exports, sent as it happens, in whichever process made
 * it. An event says what changed, not the whole export: a client that shows more re-reads it (the
 * panel refreshes its list). Nothing is replayed: a client that (re)connects reads what it shows
 * afresh, then follows the stream.
 */

/** The SSE `event:` name every export change is sent under. */
export const exportChangeEventName = 'export_changed';

/** The data of one `export_changed` event: where one export of the project stands now. */
export const exportChangeEventSchema = z.object({
  /** The export's id. */
  id: z.number().int().positive(),
  /** The project's `project_string_id` (the one the stream is for). */
  project_string_id: z.string(),
  /** Where it stands now. */
  status: z.enum(exportStatuses),
  /** 0–100; moves while `running`, 100 once complete. */
  percent_complete: z.number().min(0).max(100),
  /** True once archived: it has left the list. */
  archived: z.boolean(),
});
/** One export's change, as the stream sends it. */
export type ExportChangeEvent = z.infer<typeof exportChangeEventSchema>;

/**
 * How often the stream sends a comment line when nothing happens, in ms: proxies and load balancers
 * close a connection idle for 30–60 s, and a write is also how the server notices a client gone.
 */
export const exportEventsHeartbeatMs = 15_000;

/** The stream's `retry:` hint: how long a browser waits before reconnecting a dropped stream, in ms. */
export const exportEventsRetryMs = 3_000;
