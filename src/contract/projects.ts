import { z } from 'zod';
import { fileStates, fileTypes, jobStatuses, taskStatuses } from './annotations.ts';
import {
  nameTextSchema,
  pageQueryFields,
  queryBooleanSchema,
  textIdSchema,
} from './request-fields.ts';
import { projectRoleSchema } from './roles.ts';

/** A project as the API lists it. */
export const projectSummarySchema = z.object({
  /** Numeric id. */
  id: z.number().int(),
  /** The URL-safe name used in every project path (`/api/v1/projects/:project_string_id`). */
  project_string_id: z.string(),
  /** The name people see. */
  name: z.string(),
  /** The directory the panel opens on, or null when the project has none. */
  default_directory_id: z.number().int().nullable(),
  /** What the requester may do here (their membership, or admin for an instance admin). */
  my_role: projectRoleSchema,
});
/** A project as the API lists it. */
export type ProjectSummary = z.infer<typeof projectSummarySchema>;

/** `GET /api/v1/projects`. */
export const projectListResponseSchema = z.object({
  /** Every project, by name. */
  projects: z.array(projectSummarySchema),
});
/** `GET /api/v1/projects`. */
export type ProjectListResponse = z.infer<typeof projectListResponseSchema>;

/** A directory with the counts a source picker shows. */
export const directorySummarySchema = z.object({
  /** Numeric id. */
  id: z.number().int(),
  /** The directory's name (Diffgram's nickname). */
  nickname: z.string(),
  /** Top-level files that are not removed. */
  file_count: z.number().int(),
  /** Of those, files marked complete. */
  completed_file_count: z.number().int(),
});
/** A directory with the counts a source picker shows. */
export type DirectorySummary = z.infer<typeof directorySummarySchema>;

/** `GET /api/v1/projects/:project`: the project, its directories and its default directory. */
export const projectDetailResponseSchema = z.object({
  /** The project. */
  project: projectSummarySchema,
  /** Its directories, by nickname. */
  directories: z.array(directorySummarySchema),
  /** The default directory (also in `directories`), or null. */
  default_directory: directorySummarySchema.nullable(),
});
/** `GET /api/v1/projects/:project`. */
export type ProjectDetailResponse = z.infer<typeof projectDetailResponseSchema>;

/** How many of a job's tasks are in each status. */
export const taskCountsSchema = z.object(
  Object.fromEntries(taskStatuses.map((status) => [status, z.number().int()])) as Record<
    (typeof taskStatuses)[number],
    z.ZodNumber
  >,
);
/** How many of a job's tasks are in each status. */
export type TaskCounts = z.infer<typeof taskCountsSchema>;

/** A job with the counts a source picker shows. */
export const jobSummarySchema = z.object({
  /** Numeric id (the `job/:id` of the seed's SDK section). */
  id: z.number().int(),
  /** The job's name. */
  name: z.string(),
  /** Where the job stands. */
  status: z.enum(jobStatuses),
  /** Tasks by status. */
  task_counts: taskCountsSchema,
  /** All tasks, archived included. */
  task_count: z.number().int(),
});
/** A job with the counts a source picker shows. */
export type JobSummary = z.infer<typeof jobSummarySchema>;

/** `GET /api/v1/projects/:project/jobs`. */
export const jobListResponseSchema = z.object({
  /** The project's jobs, by name. */
  jobs: z.array(jobSummarySchema),
});
/** `GET /api/v1/projects/:project/jobs`. */
export type JobListResponse = z.infer<typeof jobListResponseSchema>;

/** The longest `project_string_id` annex accepts, in characters: one limit on every route. */
export const projectNameMaxLength = 200;

/** A `project_string_id` as a path names it: 1 to `projectNameMaxLength` characters of storable text. */
export const projectStringIdSchema = nameTextSchema(projectNameMaxLength);

/** The path parameter naming a project. */
export const projectParamsSchema = z.object({
  /** The project's `project_string_id`. */
  project: projectStringIdSchema,
});

/** The path parameters naming one task of a project. */
export const taskParamsSchema = z.object({
  /** The project's `project_string_id`. */
  project: projectStringIdSchema,
  /** The task's id: digits only, within the id range. */
  id: textIdSchema,
});

/** One task as the panel names it: its job, its file and where it stands. */
export const taskDetailSchema = z.object({
  /** Numeric id (the panel's `?task_id=`). */
  id: z.number().int(),
  /** Where the task stands. */
  status: z.enum(taskStatuses),
  /** The job the task belongs to. */
  job: z.object({
    /** The job's id. */
    id: z.number().int(),
    /** The job's name. */
    name: z.string(),
  }),
  /** The file the task is on. */
  file: z.object({
    /** The file's id. */
    id: z.number().int(),
    /** The file's name as uploaded. */
    original_filename: z.string(),
    /** The file's own completion flag (not the task's status). */
    ann_is_complete: z.boolean(),
  }),
});
/** One task as the panel names it. */
export type TaskDetail = z.infer<typeof taskDetailSchema>;

/** `GET /api/v1/projects/:project/tasks/:id`. */
export const taskDetailResponseSchema = z.object({
  /** The task. */
  task: taskDetailSchema,
});
/** `GET /api/v1/projects/:project/tasks/:id`. */
export type TaskDetailResponse = z.infer<typeof taskDetailResponseSchema>;

/** The path parameters naming one job of a project. */
export const jobParamsSchema = projectParamsSchema.extend({
  /** The job's id: digits only, within the id range. */
  id: textIdSchema,
});

/** One task of a job as its task list gives it: where it stands and the file it is on. */
export const jobTaskSchema = z.object({
  /** Numeric id (the panel's `?task_id=`, an export's `task_id`). */
  id: z.number().int(),
  /** Where the task stands. */
  status: z.enum(taskStatuses),
  /** The file the task is on; what decides whether a task export selects it. */
  file: taskDetailSchema.shape.file.extend({
    /** The kind of media it holds. */
    type: z.enum(fileTypes),
    /** `removed` files are never exported, whatever the task's status. */
    state: z.enum(fileStates),
  }),
});
/** One task of a job as its task list gives it. */
export type JobTask = z.infer<typeof jobTaskSchema>;

/** `GET /api/v1/projects/:project/jobs/:id/tasks` query. */
export const listJobTasksQuerySchema = z
  .object({
    ...pageQueryFields,
    /** Only tasks in this status. */
    status: z.enum(taskStatuses).optional(),
    /**
     * `true`: only tasks whose file is marked complete; `false`: only those whose file is not (with
     * `status=complete`, the tasks a completed-only export selects nothing from).
     */
    file_complete: queryBooleanSchema.optional(),
  })
  .strict();
/** `GET /api/v1/projects/:project/jobs/:id/tasks` query, as sent. */
export type ListJobTasksQuery = z.input<typeof listJobTasksQuerySchema>;

/** One page of a job's tasks, by id. */
export const jobTaskListResponseSchema = z.object({
  /** This page's tasks, lowest id first. */
  tasks: z.array(jobTaskSchema),
  /** Pass as `cursor` for the next page; null on the last page. */
  next_cursor: z.string().nullable(),
  /** How many tasks match, over all pages. */
  total: z.number().int(),
});
/** One page of a job's tasks. */
export type JobTaskListResponse = z.infer<typeof jobTaskListResponseSchema>;
