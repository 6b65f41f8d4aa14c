import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { isMetadataKey } from '../../contract/export-file.ts';
import type { AnyInstance, ExportFile, FilePacket } from '../../contract/export-file.ts';
import type { DialectName } from '../db/database.ts';
import type { FileRow } from '../db/schema.ts';
import type { TestDatabase } from '../db/test-database.ts';
import { imageFileValues } from '../test-utils/test-records.ts';
import type { DemoProjectSummary } from '../seed/demo-project.ts';
import type { InstanceRow, SequenceRow } from './export-file-packets.ts';
import { writeExportFile } from './export-file-writer.ts';
import type { ExportFileResult, WriteHooks } from './export-file-writer.ts';
import { createDemoDatabase, demoSettings } from './export-file-fixtures.ts';
import type { DemoSource } from './export-file-fixtures.ts';
import type { ExportSettings } from './export-settings.ts';

// What the export-file tests (writer, metadata, packets) share beyond the demo fixtures: a demo
// database per test file with a helper that writes an export and reads it back, ways to walk the
// packets and instances of a written file, and database rows for building packets without one.

/** The `created_time` every test export is written with. */
export const createdTime = '2024-03-06T09:30:00.000Z';
/** The `user_created_email` every test export is written with. */
export const createdBy = 'lead@example.com';
/** The expiry the test signer gives every URL (Unix seconds). */
export const signedExpiry = 1_900_000_000;
/** A signer whose output is recognisable: the stored URL plus `?signature=test`. */
export const signMediaUrl = (url: string) => ({
  url: `${url}?signature=test`,
  expiry: signedExpiry,
});

/** One export as written: the writer's result, the text on disk, that text parsed, and its path. */
export interface Written {
  result: ExportFileResult;
  text: string;
  file: ExportFile;
  outPath: string;
}

/** Each packet of a file with its file id, in the file's key order. */
export function packetsOf(file: ExportFile): [number, FilePacket][] {
  return Object.entries(file)
    .filter(([key]) => !isMetadataKey(key))
    .map(([key, packet]) => [Number(key), packet as FilePacket]);
}

/** Every instance of a packet, sequence instances included, and whether it sits on a video frame. */
export function instancesOf(packet: FilePacket): { instance: AnyInstance; onFrame: boolean }[] {
  if ('sequence_list' in packet) {
    return [
      ...packet.parent_instance_list.map((instance) => ({
        instance,
        onFrame: 'frame_number' in instance,
      })),
      ...packet.sequence_list.flatMap((sequence) =>
        sequence.instance_list.map((instance) => ({ instance, onFrame: true })),
      ),
    ];
  }
  return packet.instance_list.map((instance) => ({ instance, onFrame: false }));
}

/** Every instance of every packet of a file. */
export function allInstances(file: ExportFile): AnyInstance[] {
  return packetsOf(file).flatMap(([, packet]) =>
    instancesOf(packet).map(({ instance }) => instance),
  );
}

/** A demo database for one describe block, and writing exports of it. Read fields in tests only. */
export interface DemoExports {
  /** The database (set in `beforeAll`). */
  readonly database: TestDatabase;
  /** What the demo seed made (set in `beforeAll`). */
  readonly demo: DemoProjectSummary;
  /** A temporary folder for the files, removed in `afterAll`. */
  readonly dir: string;
  /** The id the last `write` used; each write takes the next. */
  readonly exportId: number;
  /** Takes the next export id (for tests that call `writeExportFile` themselves). */
  nextExportId: () => number;
  /** Writes an export of `settings` with the test signer and reads it back. */
  write: (settings: ExportSettings, hooks?: WriteHooks) => Promise<Written>;
  /**
   * Writes an export of `settings` to `outPath` without the test signer and without reading it back,
   * for tests that expect the write to fail or look at the file themselves.
   */
  writeTo: (
    settings: ExportSettings,
    outPath: string,
    hooks?: WriteHooks,
  ) => Promise<ExportFileResult>;
  /** Writes an export of a demo source, completed-only and without removed instances unless told. */
  writeDemo: (
    source: DemoSource,
    options?: { annIsComplete?: boolean; includeRemoved?: boolean },
    hooks?: WriteHooks,
  ) => Promise<Written>;
}

/**
 * Registers `beforeAll` / `afterAll` hooks that seed a fresh demo database on `dialect` and a
 * temporary folder, and returns the handle to write exports with. Call it inside a `describe`.
 */
export function useDemoExports(dialect: DialectName): DemoExports {
  let database: TestDatabase | undefined;
  let demo: DemoProjectSummary | undefined;
  let dir: string | undefined;
  let exportId = 0;
  const ready = <T>(value: T | undefined, name: string): T => {
    if (value === undefined) throw new Error(`${name} is set in beforeAll; use it inside a test`);
    return value;
  };

  beforeAll(async () => {
    ({ database, demo } = await createDemoDatabase(dialect));
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'annex-export-file-'));
  });
  afterAll(async () => {
    await database?.drop();
    if (dir !== undefined) fs.rmSync(dir, { recursive: true, force: true });
  });

  const handle: DemoExports = {
    get database() {
      return ready(database, 'database');
    },
    get demo() {
      return ready(demo, 'demo');
    },
    get dir() {
      return ready(dir, 'dir');
    },
    get exportId() {
      return exportId;
    },
    nextExportId: () => (exportId += 1),
    write: async (settings, hooks = {}) => {
      const id = handle.nextExportId();
      const outPath = path.join(handle.dir, `export-${id}.json.tmp`);
      const result = await writeExportFile(
        handle.database,
        { ...settings, exportId: id, createdTime, createdBy },
        outPath,
        { signMediaUrl, ...hooks },
      );
      const text = fs.readFileSync(outPath, 'utf8');
      return { result, text, file: JSON.parse(text) as ExportFile, outPath };
    },
    writeTo: (settings, outPath, hooks = {}) =>
      writeExportFile(
        handle.database,
        { ...settings, exportId: handle.nextExportId(), createdTime, createdBy },
        outPath,
        hooks,
      ),
    writeDemo: (source, options = {}, hooks = {}) =>
      handle.write(demoSettings(handle.demo, source, options), hooks),
  };
  return handle;
}

/** A file row as the database returns it: a 640×480 image unless overridden. */
export function fileRow(overrides: Partial<FileRow> = {}): FileRow {
  return { id: 1, ...imageFileValues(1, 'street-01.jpg'), ...overrides };
}

/** An instance row of file 1: a box without attributes unless overridden. */
export function instanceRow(overrides: Partial<InstanceRow> = {}): InstanceRow {
  return {
    id: 10,
    file_id: 1,
    type: 'box',
    label_id: 3,
    geometry: '{"x_min":1,"y_min":2,"x_max":30,"y_max":40}',
    attribute_values: null,
    frame_number: null,
    sequence_id: null,
    local_sequence_number: null,
    interpolated: 0,
    soft_deleted: 0,
    ...overrides,
  };
}

/** A sequence row of file 1 with keyframes 0 and 4 unless overridden. */
export function sequenceRow(overrides: Partial<SequenceRow> = {}): SequenceRow {
  return {
    id: 5,
    file_id: 1,
    label_id: 3,
    number: 1,
    keyframe_list: '[0,4]',
    single_frame: 0,
    ...overrides,
  };
}
