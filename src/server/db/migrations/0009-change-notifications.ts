import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import type { DialectName } from '../database.ts';

/*
 * Change notifications (issue 14), PostgreSQL only: every write that changes what a person watching
 * an export sees (created; status, progress, file count or archived changed) sends
 * `NOTIFY annex_export_changes`, and an import put in the queue sends `NOTIFY annex_import_queued`.
 * Each process LISTENs on one connection of its own (`exports/export-change-feed.ts`): an idle worker
 * anywhere wakes at once, requests waiting for an export answer at once, and every API process's
 * event stream hears about exports other processes changed.
 *
 * Why triggers rather than a NOTIFY beside each write in the code: the worker, the API, cancel and
 * retry, recovery, a retention sweep and whatever comes next all write export rows, in several
 * processes; a write that forgets to notify leaves a panel stale for good, and a trigger cannot be
 * forgotten. It also runs in the writer's transaction, and PostgreSQL delivers a NOTIFY only when
 * that transaction commits: a listener that reads the row after hearing of it sees the change.
 *
 * Why the payload carries the schema: channels belong to the database, not to a schema, so two annex
 * installations in one database (or tests, one schema each) hear each other's notifications; a
 * listener keeps only those of its own schema. The payload is a few dozen bytes, far below
 * PostgreSQL's 8000.
 *
 * Why row triggers guarded by WHEN: an UPDATE that only writes a heartbeat (every few seconds per
 * running export) must cost nothing, and a WHEN clause is checked before any function runs. A
 * statement that changes many rows at once (a retention sweep archiving thousands) sends one
 * notification per row; listeners cope, and a panel coalesces what it hears.
 *
 * SQLite gets nothing: one process owns the database, and its in-process events say the same.
 */

/** The channel export changes are notified on; its payload is `ExportNotification` JSON. */
export const exportChangesChannel = 'annex_export_changes';
/** The channel a newly queued import is notified on; its payload is `{ schema, id }` JSON. */
export const importQueuedChannel = 'annex_import_queued';

/** Adds the notifying triggers on PostgreSQL. */
export async function up(db: Kysely<unknown>, dialect: DialectName): Promise<void> {
  if (dialect !== 'postgres') return;
  // SET search_path FROM CURRENT, as in 0004: the functions must behave the same whatever search_path
  // the writing connection has.
  const statements = [
    `CREATE FUNCTION export_change_notify() RETURNS trigger LANGUAGE plpgsql
     SET search_path FROM CURRENT AS $$
     BEGIN
       PERFORM pg_notify('${exportChangesChannel}', json_build_object(
         'schema', TG_TABLE_SCHEMA,
         'id', NEW.id,
         'project_id', NEW.project_id,
         'status', NEW.status,
         'percent_complete', NEW.percent_complete,
         'archived', NEW.archived <> 0
       )::text);
       RETURN NULL;
     END $$`,
    `CREATE TRIGGER export_change_notify_insert AFTER INSERT ON export
     FOR EACH ROW EXECUTE FUNCTION export_change_notify()`,
    `CREATE TRIGGER export_change_notify_update
     AFTER UPDATE OF status, percent_complete, file_list_length, archived ON export
     FOR EACH ROW
     WHEN (OLD.status IS DISTINCT FROM NEW.status
       OR OLD.percent_complete IS DISTINCT FROM NEW.percent_complete
       OR OLD.file_list_length IS DISTINCT FROM NEW.file_list_length
       OR OLD.archived IS DISTINCT FROM NEW.archived)
     EXECUTE FUNCTION export_change_notify()`,
    `CREATE FUNCTION import_queued_notify() RETURNS trigger LANGUAGE plpgsql
     SET search_path FROM CURRENT AS $$
     BEGIN
       PERFORM pg_notify('${importQueuedChannel}',
         json_build_object('schema', TG_TABLE_SCHEMA, 'id', NEW.id)::text);
       RETURN NULL;
     END $$`,
    `CREATE TRIGGER import_queued_notify_insert AFTER INSERT ON import_job
     FOR EACH ROW WHEN (NEW.status = 'queued') EXECUTE FUNCTION import_queued_notify()`,
    `CREATE TRIGGER import_queued_notify_update AFTER UPDATE OF status ON import_job
     FOR EACH ROW WHEN (NEW.status = 'queued' AND OLD.status IS DISTINCT FROM NEW.status)
     EXECUTE FUNCTION import_queued_notify()`,
  ];
  for (const statement of statements) await sql.raw(statement).execute(db);
}
