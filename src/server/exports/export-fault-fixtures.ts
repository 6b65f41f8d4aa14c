import fs from 'node:fs';
import { ColumnNode, TableNode, UpdateQueryNode } from 'kysely';
import type {
  KyselyPlugin,
  PluginTransformQueryArgs,
  PluginTransformResultArgs,
  QueryResult,
  RootOperationNode,
  UnknownRow,
} from 'kysely';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { vi } from 'vitest';
import type { DialectName } from '../db/database.ts';
import type { WorkerSession } from './export-worker-session.ts';

// Faults injected into one worker, for the fault tests: a database that refuses writes (its disk
// full, as each engine says it), an export file whose disk fills up (ENOSPC), and a worker process
// that dies right after a claim. Each touches only the worker's own connection or its storage, so
// the app beside it keeps answering.

/** What the database says when its disk is full, as each engine says it. */
export function databaseDiskFull(dialect: DialectName): Error {
  if (dialect === 'sqlite')
    return new SQLite.SqliteError('database or disk is full', 'SQLITE_FULL');
  const error = new pg.DatabaseError(
    'could not extend file "base/16384/16402": No space left on device',
    0,
    'error',
  );
  error.code = '53100';
  return error;
}

/** Which UPDATEs of the export table fail: every one, or only those writing a column. */
export interface FaultRule {
  /** Only UPDATEs that set this column (`status_text`: the final moves complete, fail, give up). */
  setting?: string;
  /** Only UPDATEs that do not set this column (`claimed_by`: all but a claim). */
  unless?: string;
}

/** A Kysely plugin that makes the next matching UPDATEs of the export table throw `error`. */
export class ExportUpdateFaults implements KyselyPlugin {
  private remaining = 0;
  private rule: FaultRule = {};

  constructor(private readonly makeError: () => Error) {}

  /** The next `count` matching UPDATEs throw. */
  failNext(count: number, rule: FaultRule = {}): void {
    this.remaining = count;
    this.rule = rule;
  }

  /** Faults armed and not yet thrown. */
  get pending(): number {
    return this.remaining;
  }

  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    const { node } = args;
    if (this.remaining === 0 || !UpdateQueryNode.is(node) || !this.matches(node)) return node;
    this.remaining -= 1;
    throw this.makeError();
  }

  transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return Promise.resolve(args.result);
  }

  private matches(node: UpdateQueryNode): boolean {
    const table = node.table;
    if (table === undefined || !TableNode.is(table) || table.table.identifier.name !== 'export')
      return false;
    const sets = (column: string) =>
      (node.updates ?? []).some(
        (update) => ColumnNode.is(update.column) && update.column.column.name === column,
      );
    const { setting, unless } = this.rule;
    return (setting === undefined || sets(setting)) && (unless === undefined || !sets(unless));
  }
}

/**
 * A worker process that dies right after its claim, as far as the database can tell: from its first
 * write after claiming (the file count) every query of its connection throws, and its own session is
 * closed, as the kernel closes a killed process's sockets.
 */
export class CrashAfterClaim implements KyselyPlugin {
  private crashed = false;
  /** When the crash closed the session. */
  crashedAt: Promise<number> | undefined;

  constructor(private readonly session: WorkerSession) {}

  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    const { node } = args;
    const countsFiles =
      UpdateQueryNode.is(node) &&
      (node.updates ?? []).some(
        (update) =>
          ColumnNode.is(update.column) && update.column.column.name === 'file_list_length',
      );
    if (!this.crashed && countsFiles) {
      this.crashed = true;
      this.crashedAt = this.session.close().then(() => Date.now());
    }
    if (this.crashed) throw new Error('Connection terminated unexpectedly');
    return node;
  }

  transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return Promise.resolve(args.result);
  }
}

/** The export file's write stream fails with ENOSPC on its first write, as on a full disk. */
export function failExportWritesWithEnospc(
  storageRoot: string,
  onFull: () => void = () => undefined,
) {
  const createWriteStream = fs.createWriteStream.bind(fs);
  let armed = true;
  return vi.spyOn(fs, 'createWriteStream').mockImplementation((file, options) => {
    if (!armed || typeof file !== 'string' || !file.startsWith(storageRoot))
      return createWriteStream(file, options);
    armed = false;
    const full = (callback: (error: NodeJS.ErrnoException) => void) => {
      onFull();
      const error: NodeJS.ErrnoException = new Error('ENOSPC: no space left on device, write');
      error.code = 'ENOSPC';
      error.errno = -28;
      error.syscall = 'write';
      callback(error);
    };
    // `fsync` is not in Node's type for this option, but a stream with `flush: true` calls it.
    const fullDisk = {
      open: fs.open,
      close: fs.close,
      fsync: fs.fsync,
      write: (...args: unknown[]) => full(args.at(-1) as (error: NodeJS.ErrnoException) => void),
      writev: (...args: unknown[]) => full(args.at(-1) as (error: NodeJS.ErrnoException) => void),
    };
    return createWriteStream(file, {
      ...(typeof options === 'object' ? options : {}),
      fs: fullDisk,
    });
  });
}
