import type { APIRequestContext } from '@playwright/test';
import { expect } from '@playwright/test';
import type { z } from 'zod';
import {
  exportListResponseSchema,
  exportSchema,
  isFinalStatus,
  preflightResponseSchema,
} from '../../src/contract/exports.ts';
import type {
  CreateExportRequest,
  Export,
  ExportListResponse,
  PreflightResponse,
} from '../../src/contract/exports.ts';
import { exportSampleResponseSchema } from '../../src/contract/export-sample.ts';
import type { ExportSampleResponse } from '../../src/contract/export-sample.ts';
import { exportFileSchema } from '../../src/contract/export-file.ts';
import type { ExportFile } from '../../src/contract/export-file.ts';
import { instanceListResponseSchema } from '../../src/contract/annotation-writes.ts';
import type {
  InstanceListResponse,
  PutInstancesRequest,
} from '../../src/contract/annotation-writes.ts';
import {
  jobListResponseSchema,
  jobTaskListResponseSchema,
  projectDetailResponseSchema,
  projectListResponseSchema,
} from '../../src/contract/projects.ts';
import type {
  JobSummary,
  JobTask,
  JobTaskListResponse,
  ListJobTasksQuery,
  ProjectDetailResponse,
  ProjectListResponse,
} from '../../src/contract/projects.ts';

/** Which task `taskOnIncompleteFile` looks for, beyond "complete, on a file not marked complete". */
export interface IncompleteFileTaskFilter {
  /** Only in the job with this name. */
  jobName?: string;
  /** Only on the file with this original filename. */
  filename?: string;
}

/**
 * The annex API as a script (or the SDK) would use it, for what a spec sets up or checks behind the
 * panel's back. Every answer is parsed with the contract's schemas.
 */
export class AnnexApi {
  /** @param request Playwright's request context, with the e2e server as its base URL. */
  constructor(private readonly request: APIRequestContext) {}

  private async read<Schema extends z.ZodType>(
    response: Awaited<ReturnType<APIRequestContext['get']>>,
    schema: Schema,
  ): Promise<z.output<Schema>> {
    const body: unknown = await response.json();
    if (!response.ok())
      throw new Error(`${response.url()} answered ${response.status()}: ${JSON.stringify(body)}`);
    return schema.parse(body);
  }

  /** GET /api/v1/projects. */
  async projects(): Promise<ProjectListResponse> {
    return this.read(await this.request.get('/api/v1/projects'), projectListResponseSchema);
  }

  /** GET /api/v1/projects/:project. */
  async project(project: string): Promise<ProjectDetailResponse> {
    return this.read(
      await this.request.get(`/api/v1/projects/${project}`),
      projectDetailResponseSchema,
    );
  }

  /** GET /api/v1/projects/:project/jobs. */
  async listJobs(project: string): Promise<JobSummary[]> {
    return (
      await this.read(
        await this.request.get(`/api/v1/projects/${project}/jobs`),
        jobListResponseSchema,
      )
    ).jobs;
  }

  /** GET …/jobs/:id/tasks (one page). */
  async listJobTasks(
    project: string,
    jobId: number,
    query: ListJobTasksQuery = {},
  ): Promise<JobTaskListResponse> {
    const params = Object.fromEntries(
      Object.entries(query).filter(
        (entry): entry is [string, string | number] => entry[1] !== undefined,
      ),
    );
    return this.read(
      await this.request.get(`/api/v1/projects/${project}/jobs/${jobId}/tasks`, { params }),
      jobTaskListResponseSchema,
    );
  }

  /**
   * A complete task on a file not marked complete (and not removed), found through the jobs' task
   * lists: a completed-only export of it selects nothing, so it fails saying why.
   */
  async taskOnIncompleteFile(
    project: string,
    filter: IncompleteFileTaskFilter = {},
  ): Promise<JobTask> {
    const jobs = (await this.listJobs(project)).filter(
      (job) => filter.jobName === undefined || job.name === filter.jobName,
    );
    for (const job of jobs) {
      let cursor: string | undefined;
      do {
        const page = await this.listJobTasks(project, job.id, {
          status: 'complete',
          file_complete: 'false',
          limit: 100,
          cursor,
        });
        const task = page.tasks.find(
          (candidate) =>
            candidate.file.state === 'added' &&
            (filter.filename === undefined || candidate.file.original_filename === filter.filename),
        );
        if (task !== undefined) return task;
        cursor = page.next_cursor ?? undefined;
      } while (cursor !== undefined);
    }
    throw new Error(
      `project ${project} has no complete task on an incomplete file matching ${JSON.stringify(filter)}`,
    );
  }

  /** The id of a project's directory, by nickname. */
  async directoryId(project: string, nickname: string): Promise<number> {
    const detail = await this.project(project);
    const directory = detail.directories.find((item) => item.nickname === nickname);
    if (directory === undefined)
      throw new Error(`project ${project} has no directory "${nickname}"`);
    return directory.id;
  }

  /** GET …/exports/preflight. */
  async preflight(
    project: string,
    query: Record<string, string | number | boolean>,
  ): Promise<PreflightResponse> {
    return this.read(
      await this.request.get(`/api/v1/projects/${project}/exports/preflight`, { params: query }),
      preflightResponseSchema,
    );
  }

  /** POST …/exports (answers at once, queued). */
  async createExport(project: string, body: CreateExportRequest): Promise<Export> {
    return this.read(
      await this.request.post(`/api/v1/projects/${project}/exports`, { data: body }),
      exportSchema,
    );
  }

  /** GET …/exports/:id. */
  async getExport(project: string, id: number): Promise<Export> {
    return this.read(
      await this.request.get(`/api/v1/projects/${project}/exports/${id}`),
      exportSchema,
    );
  }

  /** GET …/exports (first page). */
  async listExports(project: string): Promise<ExportListResponse> {
    return this.read(
      await this.request.get(`/api/v1/projects/${project}/exports`),
      exportListResponseSchema,
    );
  }

  /**
   * A complete export's file, parsed with the contract: through a download link, as a pipeline
   * would fetch it.
   */
  async exportFile(project: string, id: number): Promise<ExportFile> {
    const link = await this.request.post(`/api/v1/projects/${project}/exports/${id}/link`);
    const { url } = (await link.json()) as { url: string };
    if (!link.ok()) throw new Error(`no link for export ${id}: ${link.status()}`);
    const file = await this.request.get(url);
    if (!file.ok()) throw new Error(`${url} answered ${file.status()}`);
    return exportFileSchema.parse(await file.json());
  }

  /** GET …/files/:id/instances. */
  async fileInstances(project: string, fileId: number): Promise<InstanceListResponse> {
    return this.read(
      await this.request.get(`/api/v1/projects/${project}/files/${fileId}/instances`),
      instanceListResponseSchema,
    );
  }

  /** PUT …/files/:id/instances: the file's whole instance list, as an annotation tool sends it. */
  async putInstances(
    project: string,
    fileId: number,
    body: PutInstancesRequest,
  ): Promise<InstanceListResponse> {
    return this.read(
      await this.request.put(`/api/v1/projects/${project}/files/${fileId}/instances`, {
        data: body,
      }),
      instanceListResponseSchema,
    );
  }

  /** Waits until the export is complete or failed, and returns it. */
  async waitUntilFinal(project: string, id: number): Promise<Export> {
    let latest: Export | undefined;
    await expect
      .poll(
        async () => {
          latest = await this.getExport(project, id);
          return isFinalStatus(latest.status);
        },
        { timeout: 60_000, intervals: [200, 500, 1000] },
      )
      .toBe(true);
    if (latest === undefined) throw new Error(`export ${id} was never read`);
    return latest;
  }
  /** GET …/exports/:id/sample: every packet of the export (up to 100), read from its file. */
  async sampleAll(project: string, id: number): Promise<ExportSampleResponse> {
    return this.read(
      await this.request.get(`/api/v1/projects/${project}/exports/${id}/sample?count=100&seed=1`),
      exportSampleResponseSchema,
    );
  }
}
