import { z } from 'zod';
import { filePacketSchema, labelColourMapSchema, labelMapSchema } from './export-file.ts';
import { maxId, textIntegerSchema } from './request-fields.ts';

// The visual spot-check's read of an export: a few file packets taken from the stored export file
// itself (never the database), so what the panel draws is what a pipeline reads. Either a uniform
// random sample (reservoir sampling, seeded: the same seed on the same file gives the same files)
// or the packets of named file ids (jump to a file, the files a check value flagged).

/** The most packets one sample answer carries: enough to page through, little enough to send at once. */
export const maxSampleCount = 100;
/** How many files a random sample takes when the query does not say. */
export const defaultSampleCount = 20;
/** The largest seed: a 32-bit unsigned integer, what the sampler's generator is seeded with. */
export const maxSampleSeed = 4_294_967_295;

const fileIdListPattern = /^\d+(,\d+)*$/;

/** `file_ids=3,17,42`: comma-separated file ids, digits only, at most `maxSampleCount`, repeats dropped. */
const fileIdListSchema = z
  .string()
  .regex(fileIdListPattern, 'must be file ids written in digits, separated by commas (3,17,42)')
  .transform((text) => [...new Set(text.split(',').map(Number))])
  .pipe(
    z
      .array(z.number().int().min(1).max(maxId))
      .min(1)
      .max(maxSampleCount, `must name at most ${maxSampleCount} file ids`),
  );

/**
 * `GET /api/v1/projects/:project/exports/:id/sample` query. Either `file_ids` (those packets) or a
 * random sample (`count`, and `seed` to repeat one); never both.
 */
export const exportSampleQuerySchema = z
  .object({
    /** Files in a random sample, 1 to `maxSampleCount`; default `defaultSampleCount`. */
    count: textIntegerSchema(1, maxSampleCount).optional(),
    /** Seeds the random sample (0 to 2^32 − 1); omitted, the server picks one and answers it. */
    seed: textIntegerSchema(0, maxSampleSeed).optional(),
    /** The packets of these file ids instead of a random sample. */
    file_ids: fileIdListSchema.optional(),
  })
  .strict()
  .superRefine((query, ctx) => {
    if (query.file_ids === undefined) return;
    for (const field of ['count', 'seed'] as const) {
      if (query[field] !== undefined)
        ctx.addIssue({
          code: 'custom',
          path: [field],
          message: 'cannot be sent with file_ids: ask for named files or a random sample, not both',
        });
    }
  });
/** The sample query, as sent. */
export type ExportSampleQuery = z.input<typeof exportSampleQuerySchema>;

/** What the spot-check draws: packets read from the export file, with the file's labels. */
export const exportSampleResponseSchema = z.object({
  /** The export the packets were read from. */
  export_id: z.number().int(),
  /** `random` (a seeded sample) or `file_ids` (named files). */
  mode: z.enum(['random', 'file_ids']),
  /** The seed the random sample used (the query's, or the one the server picked); null for `file_ids`. */
  seed: z.number().int().nullable(),
  /** File packets in the export file; counted only for a random sample (which reads every packet), else null. */
  file_count: z.number().int().nullable(),
  /** The file's `label_map`: label name by label id. */
  label_map: labelMapSchema,
  /** The file's `label_colour_map`: label colour by label id. */
  label_colour_map: labelColourMapSchema,
  /** The packets, in file id order. */
  files: z.array(filePacketSchema),
  /** Asked-for file ids the export file holds no packet for (`file_ids` only), in the order asked. */
  missing_file_ids: z.array(z.number().int()),
});
/** A spot-check sample. */
export type ExportSampleResponse = z.infer<typeof exportSampleResponseSchema>;
