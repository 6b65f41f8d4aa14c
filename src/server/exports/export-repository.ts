import { sourceIdFieldOf, taskRefName } from '../../contract/exports.ts';
import type { ChangesSince, Export, ExportSource } from '../../contract/exports.ts';
import type { AnnexDatabase } from '../db/database.ts';
import type { ExportRow } from '../db/schema.ts';
import { selectTasksWithJobAndFile } from '../projects/project-queries.ts';
import { countChangesSince } from './export-changes-queries.ts';
import type { ChangesTarget } from './export-changes-queries.ts';
import { readStoredChecks, StoredValueError } from './export-file-stored-json.ts';
import type { ExportChecks } from '../../contract/export-checks.ts';

// The export rows and their contract shape. Rows keep ids; the contract carries the source's id and
// name, read here in a few batched queries per page rather than one join per row. `changes_since`
// costs one query per complete export of the page (a page holds at most 100): each is an index
// range over the files changed since that export's snapshot (export-changes-queries.ts), which one
// query for the whole page could not read any faster; exports of the same source and snapshot share
// theirs.

/** One page of rows, newest first. */
export interface ExportRowPage {
  /** The page's rows, newest first. */
  rows: ExportRow[];
  /** The id to pass as the next cursor, or null on the last page. */
  nextCursor: number | null;
  /** Rows that match over all pages. */
  total: number;
}

/** Paging and filtering of a project's export list. */
export interface ListExportsOptions {
  /** Only ids below this one (the previous page's last id). */
  cursor?: number;
  /** Page size. */
  limit: number;
  /** Only this source kind. */
  source?: ExportSource;
}

/**
 * Reads export rows and turns them into the contract's `Export`. It never writes one: every status
 * move, the insert included, is `ExportState`'s.
 */
export class ExportRepository {
  constructor(private readonly database: AnnexDatabase) {}

  /** One export of the project that is not archived, or undefined. */
  async get(projectId: number, id: number): Promise<ExportRow | undefined> {
    return this.database.db
      .selectFrom('export')
      .selectAll()
      .where('id', '=', id)
      .where('project_id', '=', projectId)
      .where('archived', '=', 0)
      .executeTakeFirst();
  }

  /** One export by id alone, archived or not (the download route and the worker know no project). */
  async getById(id: number): Promise<ExportRow | undefined> {
    return this.database.db
      .selectFrom('export')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
  }

  /** A page of the project's exports that are not archived, newest first. */
  async list(projectId: number, options: ListExportsOptions): Promise<ExportRowPage> {
    let base = this.database.db
      .selectFrom('export')
      .where('project_id', '=', projectId)
      .where('archived', '=', 0);
    if (options.source !== undefined) base = base.where('source', '=', options.source);
    const [rows, count] = await Promise.all([
      (options.cursor === undefined ? base : base.where('id', '<', options.cursor))
        .selectAll()
        .orderBy('id', 'desc')
        .limit(options.limit + 1)
        .execute(),
      base.select((eb) => eb.fn.countAll<number>().as('total')).executeTakeFirstOrThrow(),
    ]);
    const page = rows.slice(0, options.limit);
    const last = page.at(-1);
    return {
      rows: page,
      nextCursor: rows.length > options.limit && last !== undefined ? last.id : null,
      total: count.total,
    };
  }

  /** Every export of the project that is not archived, newest first. */
  async listAll(projectId: number): Promise<ExportRow[]> {
    return this.database.db
      .selectFrom('export')
      .where('project_id', '=', projectId)
      .where('archived', '=', 0)
      .selectAll()
      .orderBy('id', 'desc')
      .execute();
  }

  /** The contract shape of rows, with project name and source refs loaded in a few queries. */
  async toContract(rows: ExportRow[]): Promise<Export[]> {
    if (rows.length === 0) return [];
    const db = this.database.db;
    const unique = (values: (number | null)[]) => [
      ...new Set(values.filter((value): value is number => value !== null)),
    ];
    const projectIds = unique(rows.map((row) => row.project_id));
    const directoryIds = unique(rows.map((row) => row.directory_id));
    const taskIds = unique(rows.map((row) => row.task_id));

    const [projects, directories, tasks] = await Promise.all([
      db
        .selectFrom('project')
        .select(['id', 'project_string_id'])
        .where('id', 'in', projectIds)
        .execute(),
      directoryIds.length === 0
        ? []
        : db
            .selectFrom('directory')
            .select(['id', 'nickname'])
            .where('id', 'in', directoryIds)
            .execute(),
      taskIds.length === 0
        ? []
        : selectTasksWithJobAndFile(db).where('task.id', 'in', taskIds).execute(),
    ]);
    const jobIds = unique(rows.map((row) => row.job_id));
    const jobs =
      jobIds.length === 0
        ? []
        : await db.selectFrom('job').select(['id', 'name']).where('id', 'in', jobIds).execute();

    const [changesById, retriedBy] = await Promise.all([
      this.changesSince(rows),
      this.newestRetries(rows),
    ]);

    const projectById = new Map(projects.map((row) => [row.id, row.project_string_id]));
    const directoryById = new Map(
      directories.map((row) => [row.id, { id: row.id, name: row.nickname }]),
    );
    const jobById = new Map(jobs.map((row) => [row.id, { id: row.id, name: row.name }]));
    const taskById = new Map(
      tasks.map((row) => [
        row.id,
        {
          task: { id: row.id, name: taskRefName(row.job_name, row.original_filename) },
          job: { id: row.job_id, name: row.job_name },
        },
      ]),
    );

    return rows.map((row) => {
      const task = row.task_id === null ? undefined : taskById.get(row.task_id);
      const job = row.job_id === null ? (task?.job ?? null) : (jobById.get(row.job_id) ?? null);
      return {
        id: row.id,
        project_string_id: projectById.get(row.project_id) ?? '',
        kind: 'Annotations',
        source: row.source,
        directory: row.directory_id === null ? null : (directoryById.get(row.directory_id) ?? null),
        job,
        task: task?.task ?? null,
        ann_is_complete: row.ann_is_complete === 1,
        include_removed: row.include_removed === 1,
        status: row.status,
        status_text: row.status_text,
        percent_complete: row.percent_complete,
        file_list_length: row.file_list_length,
        instance_count: row.instance_count,
        expected_file_count: row.expected_file_count,
        size_bytes: row.size_bytes,
        sha256: row.sha256,
        file_name: row.file_name,
        created_time: row.created_time,
        started_time: row.started_time,
        finished_time: row.finished_time,
        created_by: row.created_by,
        changes_since: changesById.get(row.id) ?? null,
        checks: checksOf(row),
        content_sha256: row.content_sha256,
        retry_of: row.retry_of_export_id,
        retried_by: retriedBy.get(row.id) ?? null,
      } satisfies Export;
    });
  }

  /**
   * `changes_since` of each complete export that recorded its snapshot, by export id; the others
   * (unfinished, failed, or made before change tracking) have none.
   */
  private async changesSince(rows: ExportRow[]): Promise<Map<number, ChangesSince>> {
    const byTarget = new Map<string, { target: ChangesTarget; exportIds: number[] }>();
    for (const row of rows) {
      const sourceId = row[sourceIdFieldOf(row.source)];
      if (row.status !== 'complete' || row.snapshot_seq === null || sourceId === null) continue;
      const target: ChangesTarget = {
        projectId: row.project_id,
        source: row.source,
        sourceId,
        snapshotSeq: row.snapshot_seq,
      };
      const key = `${target.projectId}:${target.source}:${target.sourceId}:${target.snapshotSeq}`;
      const entry = byTarget.get(key) ?? { target, exportIds: [] };
      entry.exportIds.push(row.id);
      byTarget.set(key, entry);
    }
    const changesById = new Map<number, ChangesSince>();
    await Promise.all(
      [...byTarget.values()].map(async ({ target, exportIds }) => {
        const changes = await countChangesSince(this.database.db, target);
        for (const id of exportIds) changesById.set(id, changes);
      }),
    );
    return changesById;
  }

  /** The newest retry of each row that was retried, by the retried export's id. */
  private async newestRetries(rows: ExportRow[]): Promise<Map<number, number>> {
    const ids = rows.filter((row) => row.status === 'failed' || row.status === 'cancelled');
    if (ids.length === 0) return new Map();
    const retries = await this.database.db
      .selectFrom('export')
      .select(['id', 'retry_of_export_id'])
      .where(
        'retry_of_export_id',
        'in',
        ids.map((row) => row.id),
      )
      // An archived retry is gone: the original may be retried again.
      .where('archived', '=', 0)
      .orderBy('id')
      .execute();
    const newest = new Map<number, number>();
    for (const retry of retries)
      if (retry.retry_of_export_id !== null) newest.set(retry.retry_of_export_id, retry.id);
    return newest;
  }

  /** The contract shape of one row. */
  async toContractOne(row: ExportRow): Promise<Export> {
    const [one] = await this.toContract([row]);
    if (one === undefined) throw new Error(`Export ${row.id} could not be read back`);
    return one;
  }
}

/**
 * An export's stored check values. One that cannot be read (a row edited by hand, a shape from a
 * future version) reads as none, which the Checks view explains, rather than failing every list and
 * poll that includes the export with a 500.
 */
function checksOf(row: ExportRow): ExportChecks | null {
  if (row.checks === null) return null;
  try {
    return readStoredChecks(row.checks, row.id);
  } catch (error) {
    if (error instanceof StoredValueError) return null;
    throw error;
  }
}
