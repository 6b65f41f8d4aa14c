import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  createDirectoryRequestSchema,
  createFileRequestSchema,
  createJobRequestSchema,
  createLabelRequestSchema,
  directoryResponseSchema,
  fileParamsSchema,
  fileResponseSchema,
  instanceListResponseSchema,
  jobResponseSchema,
  labelListResponseSchema,
  labelResponseSchema,
  putInstancesRequestSchema,
  taskResponseSchema,
  updateFileRequestSchema,
  updateTaskRequestSchema,
} from '../../contract/annotation-writes.ts';
import { projectParamsSchema, taskParamsSchema } from '../../contract/projects.ts';
import { requireProjectRole } from '../auth/project-access.ts';
import type { AnnexDatabase } from '../db/database.ts';
import { installProjectLookup, projectOf } from '../projects/project-lookup.ts';
import { AnnotationWriteService } from './annotation-write-service.ts';

/** What the write API's routes are built from. */
export interface AnnotationsRoutesOptions {
  /** The database written to. */
  database: AnnexDatabase;
}

/**
 * The largest body the instance and file routes read: a whole instance list (up to 100,000
 * instances) or a text file's text (up to 10,000,000 characters) is far more than the 1 MiB every
 * other route takes.
 */
const largeBodyLimit = 64 * 1024 * 1024;

/** What the write routes say a viewer lacks. */
const writing = 'changing annotations, files, labels and tasks';

/**
 * The write API under `/api/v1/projects/:project/…`: directories, files and their instances,
 * labels, jobs and tasks. Reads need viewer, writes editor; a project the requester is not a member
 * of is a 404. Each route parses (the contract), calls one `AnnotationWriteService` method and maps
 * its answer to HTTP.
 */
export const annotationsRoutes: FastifyPluginAsyncZod<AnnotationsRoutesOptions> = (
  app,
  { database },
) => {
  const service = new AnnotationWriteService(database);
  installProjectLookup(app, database);

  app.post(
    '/projects/:project/directories',
    {
      schema: {
        params: projectParamsSchema,
        body: createDirectoryRequestSchema,
        response: { 201: directoryResponseSchema },
      },
    },
    async (request, reply) => {
      requireProjectRole(request, 'editor', writing);
      const directory = await service.createDirectory(projectOf(request), request.body.nickname);
      return reply.status(201).send({ directory });
    },
  );

  app.post(
    '/projects/:project/files',
    {
      bodyLimit: largeBodyLimit,
      schema: {
        params: projectParamsSchema,
        body: createFileRequestSchema,
        response: { 201: fileResponseSchema },
      },
    },
    async (request, reply) => {
      requireProjectRole(request, 'editor', writing);
      const file = await service.createFile(projectOf(request), request.body);
      return reply.status(201).send({ file });
    },
  );

  app.get(
    '/projects/:project/files/:id',
    { schema: { params: fileParamsSchema, response: { 200: fileResponseSchema } } },
    async (request) => ({ file: await service.getFile(projectOf(request), request.params.id) }),
  );

  app.patch(
    '/projects/:project/files/:id',
    {
      schema: {
        params: fileParamsSchema,
        body: updateFileRequestSchema,
        response: { 200: fileResponseSchema },
      },
    },
    async (request) => {
      requireProjectRole(request, 'editor', writing);
      const { id } = request.params;
      return { file: await service.updateFile(projectOf(request), id, request.body) };
    },
  );

  /** Removes the file (state `removed`); again on a removed file: 200, nothing changes. */
  app.delete(
    '/projects/:project/files/:id',
    { schema: { params: fileParamsSchema, response: { 200: fileResponseSchema } } },
    async (request) => {
      requireProjectRole(request, 'editor', writing);
      return { file: await service.removeFile(projectOf(request), request.params.id) };
    },
  );

  app.get(
    '/projects/:project/files/:id/instances',
    { schema: { params: fileParamsSchema, response: { 200: instanceListResponseSchema } } },
    async (request) => service.getInstances(projectOf(request), request.params.id),
  );

  app.put(
    '/projects/:project/files/:id/instances',
    {
      bodyLimit: largeBodyLimit,
      schema: {
        params: fileParamsSchema,
        body: putInstancesRequestSchema,
        response: { 200: instanceListResponseSchema },
      },
    },
    async (request) => {
      requireProjectRole(request, 'editor', writing);
      const { id } = request.params;
      return service.putInstances(projectOf(request), id, request.body.instance_list);
    },
  );

  app.get(
    '/projects/:project/labels',
    { schema: { params: projectParamsSchema, response: { 200: labelListResponseSchema } } },
    async (request) => ({ labels: await service.listLabels(projectOf(request)) }),
  );

  app.post(
    '/projects/:project/labels',
    {
      schema: {
        params: projectParamsSchema,
        body: createLabelRequestSchema,
        response: { 201: labelResponseSchema },
      },
    },
    async (request, reply) => {
      requireProjectRole(request, 'editor', writing);
      const label = await service.createLabel(projectOf(request), request.body);
      return reply.status(201).send({ label });
    },
  );

  app.post(
    '/projects/:project/jobs',
    {
      schema: {
        params: projectParamsSchema,
        body: createJobRequestSchema,
        response: { 201: jobResponseSchema },
      },
    },
    async (request, reply) => {
      requireProjectRole(request, 'editor', writing);
      return reply.status(201).send(await service.createJob(projectOf(request), request.body));
    },
  );

  app.patch(
    '/projects/:project/tasks/:id',
    {
      schema: {
        params: taskParamsSchema,
        body: updateTaskRequestSchema,
        response: { 200: taskResponseSchema },
      },
    },
    async (request) => {
      requireProjectRole(request, 'editor', writing);
      const { id } = request.params;
      return { task: await service.updateTask(projectOf(request), id, request.body.status) };
    },
  );

  return Promise.resolve();
};
