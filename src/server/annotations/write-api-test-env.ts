import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import type {
  CreateFileRequest,
  FileRecord,
  FileResponse,
  LabelRecord,
  LabelResponse,
} from '../../contract/annotation-writes.ts';
import type { DialectName } from '../db/database.ts';
import { createTestDatabase } from '../db/test-database.ts';
import type { TestDatabase } from '../db/test-database.ts';
import { createTestApp } from '../test-utils/test-app.ts';
import { addDirectory, addProject } from '../test-utils/test-records.ts';
import { currentChangeSeq } from './file-changes.ts';

// What the write API's route tests share: a fresh database with a project `studio` whose default
// directory is `Inbox`, the app on it (acting as the instance admin unless told), and small readers
// of the change counter, so each test states what a write did to it.

/** The project every write API test writes to. */
export const studio = 'studio';

/** The path of a route of `studio` (or another project). */
export function studioPath(rest: string, project = studio): string {
  return `/api/v1/projects/${project}/${rest}`;
}

/** One write API test file's world. */
export interface WriteApiEnv {
  /** The fresh database. */
  database: TestDatabase;
  /** The app; requests act as the instance admin unless they send credentials. */
  app: FastifyInstance;
  /** The id of `studio`. */
  projectId: number;
  /** The id of its default directory `Inbox`. */
  inboxId: number;
  /** The project's change counter now. */
  counter(): Promise<number>;
  /** A file's `change_seq` and `created_seq` as stored. */
  fileSeqs(fileId: number): Promise<{ change_seq: number; created_seq: number }>;
  /** Closes the app and drops the database. */
  close(): Promise<void>;
}

/** Builds the world on `dialect`. */
export async function createWriteApiEnv(dialect: DialectName): Promise<WriteApiEnv> {
  const database = await createTestDatabase(dialect);
  const built = await createTestApp(database);
  const projectId = await addProject(database, studio, 'Studio');
  const inboxId = await addDirectory(database, projectId, 'Inbox', []);
  await database.db
    .updateTable('project')
    .set({ default_directory_id: inboxId })
    .where('id', '=', projectId)
    .execute();
  return {
    database,
    app: built.app,
    projectId,
    inboxId,
    counter: () => currentChangeSeq(database.db, projectId),
    fileSeqs: (fileId) =>
      database.db
        .selectFrom('file')
        .select(['change_seq', 'created_seq'])
        .where('id', '=', fileId)
        .executeTakeFirstOrThrow(),
    async close() {
      await built.close();
      await database.drop();
    },
  };
}

/** Sends a JSON request as the instance admin (or with `headers`). */
export function send(
  env: WriteApiEnv,
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
  url: string,
  payload?: unknown,
  headers: Record<string, string> = {},
): Promise<LightMyRequestResponse> {
  return env.app.inject({
    method,
    url,
    headers,
    ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
  });
}

/** Makes a file through the API (an image in Inbox unless told) and returns it. */
export async function createFile(
  env: WriteApiEnv,
  body: Partial<CreateFileRequest> = {},
): Promise<FileRecord> {
  const response = await send(env, 'POST', studioPath('files'), {
    type: 'image',
    original_filename: `image-${Math.random().toString(36).slice(2)}.jpg`,
    media_url: 'https://media.example.com/a.jpg',
    width: 640,
    height: 480,
    ...body,
  });
  expect(response.statusCode, response.body).toBe(201);
  return response.json<FileResponse>().file;
}

/** Makes a label through the API and returns it. */
export async function createLabel(env: WriteApiEnv, name: string): Promise<LabelRecord> {
  const response = await send(env, 'POST', studioPath('labels'), { name });
  expect(response.statusCode, response.body).toBe(201);
  return response.json<LabelResponse>().label;
}
