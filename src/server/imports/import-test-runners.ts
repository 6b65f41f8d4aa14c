import { text } from 'node:stream/consumers';
import type { AnnexDatabase } from '../db/database.ts';
import type { WorkerLogger } from '../exports/export-worker.ts';
import type {
  ImportCounts,
  ImportHooks,
  ImportOutcome,
  ImportSpec,
  OpenUpload,
  RunImport,
} from './import-run.ts';

// Runners the queue's tests drive the worker with, on the seam `RunImport` (the pipeline has its own
// tests). `directoryRunner` does real work a test can observe: it reads the upload on both passes,
// makes the directory, and counts the file's packets. The others fail or hang on purpose, for the
// worker's fault paths.

/** Counts of a run that wrote `files` files and nothing else. */
export function countsOf(files: number, overrides: Partial<ImportCounts> = {}): ImportCounts {
  return {
    packet_count: files,
    files_created: files,
    files_updated: 0,
    files_skipped: 0,
    instances_created: 0,
    instances_updated: 0,
    instances_removed: 0,
    labels_created: 0,
    error_count: 0,
    ...overrides,
  };
}

/** The packets of a small JSON upload: its keys that are file ids (digits). */
async function packetKeysOf(openUpload: OpenUpload): Promise<string[]> {
  const parsed = JSON.parse(await text(openUpload())) as Record<string, unknown>;
  return Object.keys(parsed).filter((key) => /^\d+$/.test(key));
}

/** Finds or makes the directory a spec names; returns its id. */
async function directoryFor(database: AnnexDatabase, spec: ImportSpec): Promise<number> {
  const found = await database.db
    .selectFrom('directory')
    .select('id')
    .where('project_id', '=', spec.projectId)
    .where('nickname', '=', spec.directoryName)
    .executeTakeFirst();
  if (found !== undefined) return found.id;
  const made = await database.db
    .insertInto('directory')
    .values({
      project_id: spec.projectId,
      nickname: spec.directoryName,
      created_time: new Date().toISOString(),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return made.id;
}

/**
 * A runner that validates (reads the upload, counts its packets), makes the directory, and
 * "writes" (reads the upload again), reporting progress at each stage; complete with the count.
 */
export const directoryRunner: RunImport = async (database, spec, openUpload, _size, hooks) => {
  const packets = await packetKeysOf(openUpload);
  await hooks?.onProgress?.({
    stage: 'validating',
    percent: 40,
    counts: countsOf(0, { packet_count: packets.length }),
    errors: [],
  });
  const directoryId = await directoryFor(database, spec);
  await hooks?.onDirectory?.(directoryId);
  const written = await packetKeysOf(openUpload);
  await hooks?.onProgress?.({
    stage: 'writing',
    percent: 100,
    counts: countsOf(written.length),
    errors: [],
  });
  return {
    status: 'complete',
    statusText: null,
    directoryId,
    counts: countsOf(written.length),
    errors: [],
  };
};

/** A runner whose validation finds a bad packet and fails the import, writing nothing. */
export const refusingRunner: RunImport = async (_database, _spec, openUpload) => {
  const packets = await packetKeysOf(openUpload);
  const outcome: ImportOutcome = {
    status: 'failed',
    statusText: 'Import failed: 1 packet is not valid; nothing was written.',
    directoryId: null,
    counts: countsOf(0, { packet_count: packets.length, error_count: 1 }),
    errors: [
      {
        packet: packets[0] ?? null,
        path: 'instance_list[3] › x_max',
        message: 'expected a number',
      },
    ],
  };
  return outcome;
};

/** A runner that throws an error of its own (a bug), after making the directory. */
export const throwingRunner: RunImport = async (database, spec, _openUpload, _size, hooks) => {
  await hooks?.onDirectory?.(await directoryFor(database, spec));
  throw new Error('a bug in the pipeline');
};

/** A runner that reports validating and then waits until aborted; `started` resolves once it waits. */
export function hangingRunner(): { run: RunImport; started: Promise<number> } {
  let markStarted: (importId: number) => void = () => undefined;
  const started = new Promise<number>((resolve) => {
    markStarted = resolve;
  });
  const run: RunImport = async (_database, spec, _openUpload, _size, hooks?: ImportHooks) => {
    await hooks?.onProgress?.({
      stage: 'validating',
      percent: 10,
      counts: countsOf(0),
      errors: [],
    });
    markStarted(spec.importId);
    const signal = hooks?.signal;
    await new Promise<void>((resolve) => {
      if (signal === undefined || signal.aborted) resolve();
      else signal.addEventListener('abort', () => resolve(), { once: true });
    });
    throw new Error(`import ${spec.importId} stopped between pages`);
  };
  return { run, started };
}

/** A logger that keeps what the worker says, for tests that read it (and silence otherwise). */
export class RecordingLogger implements WorkerLogger {
  /** Every line, with its level. */
  readonly lines: string[] = [];
  info(message: string): void {
    this.lines.push(`info: ${message}`);
  }
  warn(message: string): void {
    this.lines.push(`warn: ${message}`);
  }
  error(message: string): void {
    this.lines.push(`error: ${message}`);
  }
}
