import { z } from 'zod';
import { importProblemSchema } from '../../contract/imports.ts';
import type { Import, ImportProblem } from '../../contract/imports.ts';
import type { AnnexDatabase } from '../db/database.ts';
import type { ImportJobRow } from '../db/schema.ts';

// The import rows and their contract shape. It never writes one: every status move, the insert
// included, is `ImportState`'s.

/** One page of rows, newest first. */
export interface ImportRowPage {
  /** The page's rows, newest first. */
  rows: ImportJobRow[];
  /** The id to pass as the next cursor, or null on the last page. */
  nextCursor: number | null;
}

/** Paging of a project's import list. */
export interface ListImportsOptions {
  /** Only ids below this one (the previous page's last id). */
  cursor?: number;
  /** Page size. */
  limit: number;
}

const storedProblemsSchema = z.array(importProblemSchema);

/**
 * The problems a row keeps as JSON text. The worker writes them from the pipeline's own values, so
 * text that does not parse is a hand-edited row: it reads as none rather than failing the list.
 */
export function problemsOf(text: string): ImportProblem[] {
  try {
    const parsed = storedProblemsSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : [];
  } catch {
    return [];
  }
}

/** Reads import rows and turns them into the contract's `Import`. */
export class ImportRepository {
  constructor(private readonly database: AnnexDatabase) {}

  /** One import of the project, or undefined. */
  async get(projectId: number, id: number): Promise<ImportJobRow | undefined> {
    return this.database.db
      .selectFrom('import_job')
      .selectAll()
      .where('id', '=', id)
      .where('project_id', '=', projectId)
      .executeTakeFirst();
  }

  /** A page of the project's imports, newest first. */
  async list(projectId: number, options: ListImportsOptions): Promise<ImportRowPage> {
    let query = this.database.db
      .selectFrom('import_job')
      .selectAll()
      .where('project_id', '=', projectId);
    if (options.cursor !== undefined) query = query.where('id', '<', options.cursor);
    const rows = await query
      .orderBy('id', 'desc')
      .limit(options.limit + 1)
      .execute();
    const page = rows.slice(0, options.limit);
    const last = page.at(-1);
    return {
      rows: page,
      nextCursor: rows.length > options.limit && last !== undefined ? last.id : null,
    };
  }

  /** The contract shape of rows, with the project's name and the directories read in two queries. */
  async toContract(rows: ImportJobRow[]): Promise<Import[]> {
    if (rows.length === 0) return [];
    const db = this.database.db;
    const projectIds = [...new Set(rows.map((row) => row.project_id))];
    const directoryIds = [
      ...new Set(rows.map((row) => row.directory_id).filter((id): id is number => id !== null)),
    ];
    const [projects, directories] = await Promise.all([
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
    ]);
    const projectById = new Map(projects.map((row) => [row.id, row.project_string_id]));
    const directoryById = new Map(
      directories.map((row) => [row.id, { id: row.id, name: row.nickname }]),
    );
    return rows.map(
      (row) =>
        ({
          id: row.id,
          project_string_id: projectById.get(row.project_id) ?? '',
          directory:
            row.directory_id === null ? null : (directoryById.get(row.directory_id) ?? null),
          directory_name: row.directory_name,
          on_error: row.on_error,
          status: row.status,
          stage: row.status === 'running' ? row.stage : null,
          status_text: row.status_text,
          percent_complete: row.percent_complete,
          original_filename: row.original_filename,
          size_bytes: row.size_bytes,
          packet_count: row.packet_count,
          files_created: row.files_created,
          files_updated: row.files_updated,
          files_skipped: row.files_skipped,
          instances_created: row.instances_created,
          instances_updated: row.instances_updated,
          instances_removed: row.instances_removed,
          labels_created: row.labels_created,
          error_count: row.error_count,
          errors: problemsOf(row.errors),
          created_by: row.created_by,
          created_time: row.created_time,
          started_time: row.started_time,
          finished_time: row.finished_time,
        }) satisfies Import,
    );
  }

  /** The contract shape of one row. */
  async toContractOne(row: ImportJobRow): Promise<Import> {
    const [one] = await this.toContract([row]);
    if (one === undefined) throw new Error(`Import ${row.id} could not be read back`);
    return one;
  }
}
