import { z } from 'zod';
import { fileStates, fileTypes, instanceTypes, taskStatuses } from './annotations.ts';
import type { InstanceType } from './annotations.ts';
import { instanceSchemas } from './export-file.ts';
import { directorySummarySchema, jobSummarySchema, taskDetailSchema } from './projects.ts';
import { bodyIdSchema, maxId, nameTextSchema, textIdSchema } from './request-fields.ts';

// The write API (issue 11): what an annotation tool or a script calls to put data into a project
// and change it, under /api/v1/projects/:project/…. Instances are sent in the same shapes as the
// export file's packets (src/contract/export-file.ts), so what a script reads from an export it can
// send back. Every change advances the project's change counter, which the stale badge reads.

const count = z.number().int().min(0);
const nickname = nameTextSchema(200);
const filename = nameTextSchema(1_000);
/** A media URL: any absolute URL (annex signs nothing it did not store; the export hands it on). */
const mediaUrl = z
  .string()
  .max(4_000)
  .refine((value) => URL.canParse(value), 'must be an absolute URL (https://…)');
const pixels = z.number().int().min(1).max(1_000_000);
const colourHex = z.string().regex(/^#[0-9a-fA-F]{6}$/, 'must be #rrggbb');

// ---------------------------------------------------------------------------------------------
// Directories

/** `POST /api/v1/projects/:project/directories`. */
export const createDirectoryRequestSchema = z.strictObject({
  /** The directory's name, unique in the project. */
  nickname,
});
/** `POST /api/v1/projects/:project/directories`. */
export type CreateDirectoryRequest = z.input<typeof createDirectoryRequestSchema>;

/** The answer to a directory's creation. */
export const directoryResponseSchema = z.object({
  /** The directory, with its counts. */
  directory: directorySummarySchema,
});
/** The answer to a directory's creation. */
export type DirectoryResponse = z.infer<typeof directoryResponseSchema>;

// ---------------------------------------------------------------------------------------------
// Files

/** A file as the write API shows it. */
export const fileRecordSchema = z.object({
  /** The file's id (its packet's key in an export). */
  id: z.number().int(),
  /** The media type. */
  type: z.enum(fileTypes),
  /** The name it was uploaded with. */
  original_filename: z.string(),
  /** Where the media is; exports hand it on as the packet's URLs. */
  media_url: z.string(),
  /** Pixels (image, video); null when unknown. */
  width: z.number().int().nullable(),
  /** Pixels (image, video); null when unknown. */
  height: z.number().int().nullable(),
  /** Video: frames in the clip. */
  frame_count: z.number().int().nullable(),
  /** Video: frames per second. */
  frame_rate: z.number().nullable(),
  /** Text: how many tokens it was split into. */
  token_count: z.number().int().nullable(),
  /** The file's own completion flag. */
  ann_is_complete: z.boolean(),
  /** `removed` after DELETE: never exported again. */
  state: z.enum(fileStates),
  /** The directories it is in. */
  directory_ids: z.array(z.number().int()),
  /** When it was added (ISO-8601 UTC). */
  created_time: z.string(),
  /** When it last changed. */
  last_modified_time: z.string(),
  /** The project's change counter at its last change. */
  change_seq: z.number().int(),
});
/** A file as the write API shows it. */
export type FileRecord = z.infer<typeof fileRecordSchema>;

/** The path parameters naming one file of a project. */
export const fileParamsSchema = z.object({
  /** The project's `project_string_id`. */
  project: nameTextSchema(200),
  /** The file's id. */
  id: textIdSchema,
});

/**
 * `POST /api/v1/projects/:project/files`: a new file in a directory (the project's default one
 * when neither `directory_id` nor `directory` is given).
 */
export const createFileRequestSchema = z
  .strictObject({
    /** The directory to put it in, by id. */
    directory_id: bodyIdSchema.optional(),
    /** The directory to put it in, by name (made when missing). */
    directory: nickname.optional(),
    /** The media type. */
    type: z.enum(fileTypes),
    /** The name it was uploaded with. */
    original_filename: filename,
    /** Where the media is. */
    media_url: mediaUrl,
    /** Pixels; image and video. */
    width: pixels.optional(),
    /** Pixels; image and video. */
    height: pixels.optional(),
    /** Image: rotation to display it upright. */
    rotation_degrees: z
      .union([z.literal(0), z.literal(90), z.literal(180), z.literal(270)])
      .optional(),
    /** Video: frames in the clip. */
    frame_count: z.number().int().min(1).max(100_000_000).optional(),
    /** Video: frames per second. */
    frame_rate: z.number().positive().max(1_000).optional(),
    /** Text: the text itself, split into tokens at whitespace. */
    text: z.string().max(10_000_000).optional(),
    /** Marked complete from the start (default false). */
    ann_is_complete: z.boolean().default(false),
  })
  .superRefine((value, ctx) => {
    if (value.directory_id !== undefined && value.directory !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['directory'],
        message: 'give directory_id or directory, not both',
      });
    }
    const onlyFor = (field: keyof typeof value, types: readonly string[]) => {
      if (value[field] !== undefined && !types.includes(value.type)) {
        ctx.addIssue({
          code: 'custom',
          path: [field],
          message: `${field} is for ${types.join(' and ')} files, not ${value.type}`,
        });
      }
    };
    onlyFor('width', ['image', 'video']);
    onlyFor('height', ['image', 'video']);
    onlyFor('rotation_degrees', ['image']);
    onlyFor('frame_count', ['video']);
    onlyFor('frame_rate', ['video']);
    onlyFor('text', ['text']);
    if (value.type === 'text' && value.text === undefined) {
      ctx.addIssue({ code: 'custom', path: ['text'], message: 'a text file needs its text' });
    }
  });
/** `POST /api/v1/projects/:project/files`. */
export type CreateFileRequest = z.input<typeof createFileRequestSchema>;

/** `PATCH /api/v1/projects/:project/files/:id`: completion and media; at least one field. */
export const updateFileRequestSchema = z
  .strictObject({
    /** Mark complete or not; completion never locks a file. */
    ann_is_complete: z.boolean().optional(),
    /** New media location. */
    media_url: mediaUrl.optional(),
    /** New name. */
    original_filename: filename.optional(),
    /** Pixels. */
    width: pixels.optional(),
    /** Pixels. */
    height: pixels.optional(),
  })
  .refine((value) => Object.keys(value).length > 0, {
    error: 'send at least one of ann_is_complete, media_url, original_filename, width, height',
  });
/** `PATCH /api/v1/projects/:project/files/:id`. */
export type UpdateFileRequest = z.input<typeof updateFileRequestSchema>;

/** The answer about one file. */
export const fileResponseSchema = z.object({
  /** The file. */
  file: fileRecordSchema,
});
/** The answer about one file. */
export type FileResponse = z.infer<typeof fileResponseSchema>;

// ---------------------------------------------------------------------------------------------
// Instances

/**
 * The video-frame fields an instance may carry when it is on a frame of a video: `frame_number`
 * puts it on a frame, `number` in the sequence of that number (per label; made when missing).
 * `global_frame_number` is accepted (what an export wrote) and ignored: it follows from the clip.
 */
const writableFrameFields = {
  /** The frame within the clip; absent on image, text and whole-video instances. */
  frame_number: count.max(100_000_000).optional(),
  /** Ignored on input: `global_frame_start + frame_number`. */
  global_frame_number: count.optional(),
  /** The instance's position within its sequence. */
  local_sequence_number: z.number().int().min(-maxId).max(maxId).nullable().optional(),
  /** The sequence's number (per label, per video); null or absent: no sequence. */
  number: z.number().int().min(0).max(maxId).nullable().optional(),
  /** Filled in between keyframes rather than drawn. */
  interpolated: z.boolean().optional(),
};

function writableInstanceOf(type: InstanceType) {
  return instanceSchemas[type].extend({
    /** An existing instance's id: it is updated; absent: a new instance. */
    id: bodyIdSchema.optional(),
    /** `true`: the instance is kept soft-deleted (as an export with removed instances writes it). */
    removed: z.boolean().optional(),
    ...writableFrameFields,
  });
}

/** One instance as the write API takes it: an export file's instance, `id` optional. */
export const writableInstanceSchema = z.discriminatedUnion('type', [
  writableInstanceOf('box'),
  writableInstanceOf('polygon'),
  writableInstanceOf('line'),
  writableInstanceOf('point'),
  writableInstanceOf('ellipse'),
  writableInstanceOf('cuboid'),
  writableInstanceOf('keypoints'),
  writableInstanceOf('text_token'),
  writableInstanceOf('global'),
]);
/** One instance as the write API takes it. */
export type WritableInstance = z.infer<typeof writableInstanceSchema>;

/**
 * `PUT /api/v1/projects/:project/files/:id/instances`: the file's whole instance list. Instances
 * not in it are soft-deleted (kept, as Diffgram keeps them, and exported only with removed
 * instances), new ones created, changed ones updated. At most 100,000 per call.
 */
export const putInstancesRequestSchema = z.strictObject({
  /** Every instance the file should hold. */
  instance_list: z.array(writableInstanceSchema).max(100_000),
});
/** `PUT /api/v1/projects/:project/files/:id/instances`. */
export type PutInstancesRequest = z.input<typeof putInstancesRequestSchema>;

/** An instance as stored, in the export's shape, with the frame fields when it is on a frame. */
export const storedInstanceSchema = z.looseObject({
  /** Its id. */
  id: z.number().int(),
  /** Its type. */
  type: z.enum(instanceTypes),
  /** Its label; null for `global`. */
  label_file_id: z.number().int().nullable(),
});
/** An instance as stored. */
export type StoredInstance = z.infer<typeof storedInstanceSchema>;

/** `GET …/files/:id/instances` and the answer to PUT: the file's instances now. */
export const instanceListResponseSchema = z.object({
  /** The file. */
  file: fileRecordSchema,
  /** Its instances that are not soft-deleted, in id order, in the export's shapes. */
  instance_list: z.array(storedInstanceSchema),
  /** What the PUT did; absent on GET. */
  changes: z
    .object({
      /** New instances. */
      created: count,
      /** Instances whose fields changed. */
      updated: count,
      /** Instances soft-deleted because the list left them out (or sent them `removed`). */
      removed: count,
      /** Instances sent exactly as stored. */
      unchanged: count,
    })
    .optional(),
});
/** The file's instances. */
export type InstanceListResponse = z.infer<typeof instanceListResponseSchema>;

// ---------------------------------------------------------------------------------------------
// Labels

/** A label of a project. */
export const labelRecordSchema = z.object({
  /** Its id: the `label_file_id` instances carry. */
  id: z.number().int(),
  /** Its name, unique in the project. */
  name: z.string(),
  /** `#rrggbb`. */
  colour_hex: z.string(),
});
/** A label of a project. */
export type LabelRecord = z.infer<typeof labelRecordSchema>;

/** `GET /api/v1/projects/:project/labels`. */
export const labelListResponseSchema = z.object({
  /** Every label, by id. */
  labels: z.array(labelRecordSchema),
});
/** `GET /api/v1/projects/:project/labels`. */
export type LabelListResponse = z.infer<typeof labelListResponseSchema>;

/** `POST /api/v1/projects/:project/labels`. */
export const createLabelRequestSchema = z.strictObject({
  /** Unique in the project. */
  name: nameTextSchema(200),
  /** `#rrggbb`; one is picked when absent. */
  colour_hex: colourHex.optional(),
});
/** `POST /api/v1/projects/:project/labels`. */
export type CreateLabelRequest = z.input<typeof createLabelRequestSchema>;

/** The answer to a label's creation. */
export const labelResponseSchema = z.object({
  /** The label. */
  label: labelRecordSchema,
});
/** The answer to a label's creation. */
export type LabelResponse = z.infer<typeof labelResponseSchema>;

// ---------------------------------------------------------------------------------------------
// Jobs and tasks

/**
 * `POST /api/v1/projects/:project/jobs`: a job with one task per file, over a directory's files
 * (not removed) or a list of file ids. A new task on a file that is complete resets the file's
 * completion, as the platform does.
 */
export const createJobRequestSchema = z
  .strictObject({
    /** Unique in the project. */
    name: nameTextSchema(200),
    /** Every file of this directory gets a task. */
    directory_id: bodyIdSchema.optional(),
    /** These files get a task. */
    file_ids: z.array(bodyIdSchema).min(1).max(100_000).optional(),
    /** The labels its annotators may use (default: every label of the project). */
    label_ids: z.array(bodyIdSchema).max(10_000).optional(),
  })
  .superRefine((value, ctx) => {
    if ((value.directory_id === undefined) === (value.file_ids === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: ['directory_id'],
        message: 'give exactly one of directory_id and file_ids',
      });
    }
  });
/** `POST /api/v1/projects/:project/jobs`. */
export type CreateJobRequest = z.input<typeof createJobRequestSchema>;

/** The answer to a job's creation. */
export const jobResponseSchema = z.object({
  /** The job, with its task counts. */
  job: jobSummarySchema,
  /** Files whose completion the new tasks reset. */
  files_completion_reset: count,
});
/** The answer to a job's creation. */
export type JobResponse = z.infer<typeof jobResponseSchema>;

/**
 * `PATCH /api/v1/projects/:project/tasks/:id`: a task's status. When every task of its file that is
 * not archived is complete, the file becomes complete; when a task of a complete file leaves
 * `complete`, the file is no longer complete.
 */
export const updateTaskRequestSchema = z.strictObject({
  /** The new status. */
  status: z.enum(taskStatuses),
});
/** `PATCH /api/v1/projects/:project/tasks/:id`. */
export type UpdateTaskRequest = z.input<typeof updateTaskRequestSchema>;

/** The answer to a task's change: the task, with its file's completion after it. */
export const taskResponseSchema = z.object({
  /** The task. */
  task: taskDetailSchema,
});
/** The answer to a task's change. */
export type TaskResponse = z.infer<typeof taskResponseSchema>;
