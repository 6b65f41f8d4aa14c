import { z } from 'zod';

// "What changed between export 12 and export 15?": `GET /api/v1/projects/:project/exports/:id/diff/:other`
// reads both files (streaming, in flat memory) and answers what the second holds that the first
// does not, and the reverse: files added, removed and changed; instances added, removed and changed,
// per label; files whose completion changed. `:id` is the older ("from"), `:other` the newer ("to").

/** How many ids each list of the diff keeps; counts are always whole. */
export const maxDiffListed = 1000;

/** Files (by id) with a count over all of them, the first `maxDiffListed` listed. */
export const diffFileListSchema = z.object({
  count: z.number().int().min(0),
  /** The first `maxDiffListed` file ids, ascending. */
  file_ids: z.array(z.number().int()).max(maxDiffListed),
});
/** Files with a count. */
export type DiffFileList = z.infer<typeof diffFileListSchema>;

/** Instance changes of one label (by the label's name, which both files' `label_map` give). */
export const labelInstanceDiffSchema = z.object({
  /** The label's name; `(no label)` for instances without one (global attributes). */
  label: z.string(),
  added: z.number().int().min(0),
  removed: z.number().int().min(0),
  changed: z.number().int().min(0),
});
/** Instance changes of one label. */
export type LabelInstanceDiff = z.infer<typeof labelInstanceDiffSchema>;

/** The side of a diff: which export it read. */
export const diffSideSchema = z.object({
  id: z.number().int(),
  file_list_length: z.number().int(),
  instance_count: z.number().int(),
  created_time: z.string(),
});

/** `GET …/exports/:id/diff/:other` answer. */
export const exportDiffSchema = z.object({
  from: diffSideSchema,
  to: diffSideSchema,
  /** True when both files hold the same packets (their content hashes match, or no difference was found). */
  identical: z.boolean(),
  files: z.object({
    /** In `to`, not in `from`. */
    added: diffFileListSchema,
    /** In `from`, not in `to`. */
    removed: diffFileListSchema,
    /** In both, with a packet that differs (instances, completion, media, size). */
    changed: diffFileListSchema,
    /** In both, with `ann_is_complete` changed. */
    completion_changed: diffFileListSchema,
    /** In both and the same. */
    unchanged_count: z.number().int().min(0),
  }),
  instances: z.object({
    added: z.number().int().min(0),
    removed: z.number().int().min(0),
    changed: z.number().int().min(0),
    /** Per label, labels with any change only, most changes first. */
    per_label: z.array(labelInstanceDiffSchema),
  }),
});
/** `GET …/exports/:id/diff/:other` answer. */
export type ExportDiff = z.infer<typeof exportDiffSchema>;
