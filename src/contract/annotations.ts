import { z } from 'zod';

/** The kinds of media a file can hold. */
export const fileTypes = ['image', 'video', 'text'] as const;
/** The kind of media a file holds; it decides the media block of the file's packet. */
export type FileType = (typeof fileTypes)[number];

/** A file is `removed` when soft-deleted from its project; removed files are never exported. */
export const fileStates = ['added', 'removed'] as const;
/** Whether a file is still part of its project. */
export type FileState = (typeof fileStates)[number];

/** Task statuses as Diffgram has them; `archived` tasks are never exported. */
export const taskStatuses = ['available', 'in_progress', 'complete', 'archived'] as const;
/** Where a task stands. */
export type TaskStatus = (typeof taskStatuses)[number];

/** Job statuses. */
export const jobStatuses = ['draft', 'active', 'complete', 'archived'] as const;
/** Where a job stands. */
export type JobStatus = (typeof jobStatuses)[number];

/** Attribute group kinds, as the export's `attribute_groups_reference` names them. */
export const attributeGroupKinds = [
  'select',
  'multiple_select',
  'radio',
  'slider',
  'text',
  'tree',
] as const;
/** How an attribute group is answered. */
export type AttributeGroupKind = (typeof attributeGroupKinds)[number];

/** Every instance type the format knows. */
export const instanceTypes = [
  'box',
  'polygon',
  'line',
  'point',
  'ellipse',
  'cuboid',
  'keypoints',
  'text_token',
  'global',
] as const;
/** The shape an instance draws. */
export type InstanceType = (typeof instanceTypes)[number];

/** A point in the file's pixel space, origin top-left. */
export const pointSchema = z.object({ x: z.number(), y: z.number() });
/** A point in the file's pixel space. */
export type Point = z.infer<typeof pointSchema>;

const boundsSchema = z.object({
  x_min: z.number().int(),
  y_min: z.number().int(),
  x_max: z.number().int(),
  y_max: z.number().int(),
});

const cuboidFaceSchema = z.object({
  top_left: pointSchema,
  top_right: pointSchema,
  bot_left: pointSchema,
  bot_right: pointSchema,
});

/** One keypoint node of a keypoints instance. */
export const keypointNodeSchema = z.object({
  id: z.string(),
  name: z.string(),
  x: z.number(),
  y: z.number(),
  occluded: z.boolean(),
});

/** One edge between two nodes of a keypoints instance. */
export const keypointEdgeSchema = z.object({ from: z.string(), to: z.string() });

/**
 * The geometry each instance type carries, keyed by type: exactly the type-specific fields of the
 * format page's instance table. The database stores this object as JSON, the file writes its fields.
 */
export const geometrySchemas = {
  box: boundsSchema,
  polygon: boundsSchema.extend({ points: z.array(pointSchema).min(3) }),
  line: boundsSchema.extend({ points: z.array(pointSchema).min(2) }),
  point: z.object({ points: z.array(pointSchema).length(1) }),
  ellipse: z.object({
    center_x: z.number(),
    center_y: z.number(),
    width: z.number(),
    height: z.number(),
    angle: z.number(),
  }),
  cuboid: z.object({ front_face: cuboidFaceSchema, rear_face: cuboidFaceSchema }),
  keypoints: z.object({ nodes: z.array(keypointNodeSchema), edges: z.array(keypointEdgeSchema) }),
  text_token: z.object({
    start_char: z.number().int(),
    end_char: z.number().int(),
    start_token: z.number().int(),
    end_token: z.number().int(),
  }),
  global: z.object({}),
} as const satisfies Record<InstanceType, z.ZodType>;

/** The type-specific geometry of an instance of type T. */
export type Geometry<T extends InstanceType = InstanceType> = z.infer<(typeof geometrySchemas)[T]>;

/**
 * An instance's attribute answers, keyed by attribute-group id: a template id (select, radio),
 * a list of template ids (multiple_select, tree), a number (slider) or a string (text).
 */
export const attributeValuesSchema = z.record(
  z.string().regex(/^\d+$/),
  z.union([z.number(), z.string(), z.array(z.number())]),
);
/** An instance's attribute answers, keyed by attribute-group id. */
export type AttributeValues = z.infer<typeof attributeValuesSchema>;
