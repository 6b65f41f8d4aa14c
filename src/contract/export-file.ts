import { z } from 'zod';
import {
  attributeGroupKinds,
  attributeValuesSchema,
  fileTypes,
  geometrySchemas,
} from './annotations.ts';
import type { InstanceType } from './annotations.ts';
import { exportSourceRefSchema, exportSources } from './exports.ts';

// The export file, Diffgram JSON format version 1.0, as a contract (docs: export-format.md).
// Pipelines we never see read these files, so the schemas are strict where annex writes exactly
// what the format page lists (instances, packets), and loose only where the page allows additions
// (export_info). The writer produces objects of these types; the SDK parses files with them.
// One file on purpose, though it is longer than the house's ~400 lines: it mirrors the format page
// section by section, so a reader checks the two side by side, and splitting it would scatter one
// format over several modules that only make sense together.

/** The format version annex writes into `export_info.export_format_version`. */
export const exportFormatVersion = '1.0';

/** The five metadata keys of the top level; every other top-level key is a file id. */
export const metadataKeys = [
  'readme',
  'label_map',
  'label_colour_map',
  'export_info',
  'attribute_groups_reference',
] as const;
/** One of the five metadata keys. */
export type MetadataKey = (typeof metadataKeys)[number];

const metadataKeySet: ReadonlySet<string> = new Set(metadataKeys);

/** True for the five metadata names; a reader uses this (with `isFileIdKey`) to tell metadata from packets. */
export function isMetadataKey(key: string): key is MetadataKey {
  return metadataKeySet.has(key);
}

/**
 * True when a top-level key is a file id: a positive integer written in decimal without sign or
 * leading zeros, small enough to be exact in JSON readers that use doubles.
 */
export function isFileIdKey(key: string): key is `${number}` {
  return /^[1-9]\d*$/.test(key) && Number.isSafeInteger(Number(key));
}

const id = z.number().int();
const count = z.number().int().min(0);

// ---------------------------------------------------------------------------------------------
// Metadata

/** `readme`: short strings saying what the file is and where its format is documented. */
export const readmeSchema = z.record(z.string(), z.string());
/** `readme`. */
export type Readme = z.infer<typeof readmeSchema>;

const labelIdKey = z.string().regex(/^\d+$/, 'must be a label_file_id');

/** `label_map`: label name by `label_file_id`, for every label of the project. */
export const labelMapSchema = z.record(labelIdKey, z.string());
/** `label_map`. */
export type LabelMap = z.infer<typeof labelMapSchema>;

const channel = z.number().int().min(0).max(255);

/** One label's colour in `label_colour_map`. */
export const labelColourSchema = z.strictObject({
  /** `#rrggbb`. */
  hex: z.string().regex(/^#[0-9a-fA-F]{6}$/, 'must be #rrggbb'),
  /** The same colour as 0–255 channels and an alpha of 0–1. */
  rgba: z.strictObject({ r: channel, g: channel, b: channel, a: z.number().min(0).max(1) }),
});
/** One label's colour. */
export type LabelColour = z.infer<typeof labelColourSchema>;

/** `label_colour_map`: each label's colour by `label_file_id`. */
export const labelColourMapSchema = z.record(labelIdKey, labelColourSchema);
/** `label_colour_map`. */
export type LabelColourMap = z.infer<typeof labelColourMapSchema>;

/**
 * `export_info`: the export's own record. Loose on purpose: the format page lets fields be added
 * (never removed or renamed), so a reader must accept a newer file's extra fields.
 */
export const exportInfoSchema = z.looseObject({
  /** The export's id (also the first part of the file name). */
  id,
  /** Always `"1.0"`. */
  export_format_version: z.literal(exportFormatVersion),
  /** When the export was asked for (ISO-8601 UTC). */
  created_time: z.string(),
  /** Always `Annotations`. */
  kind: z.literal('Annotations'),
  /** What the export read from. */
  source: z.enum(exportSources),
  /** The completed-only filter that was used (true) or all files (false). */
  ann_is_complete: z.boolean(),
  /** The project the files belong to. */
  project: z.object({
    /** The name people see. */
    name: z.string(),
    /** The URL-safe project name. */
    project_string_id: z.string(),
  }),
  /** The directory read, when `source` is `directory`; else null. */
  directory: exportSourceRefSchema.nullable(),
  /** The job read, when `source` is `job` (the task's job when `task`); else null. */
  job: exportSourceRefSchema.nullable(),
  /** The task read, when `source` is `task`; else null. */
  task: exportSourceRefSchema.nullable(),
  /** How many file packets the file holds: the check value. */
  file_list_length: count,
  /** Who asked for the export (an email). */
  user_created_email: z.string(),
  /** How many instances the file holds, over every packet (sequence instances included). */
  instance_count: count,
  /** Whether soft-deleted instances were written (each with `"removed": true`). */
  include_removed: z.boolean(),
});
/** `export_info`. */
export type ExportInfo = z.infer<typeof exportInfoSchema>;

/** One answer an attribute group offers, in `attribute_groups_reference`. */
export const attributeTemplateReferenceSchema = z.strictObject({
  /** The id an instance's `attribute_groups` answer names. */
  id,
  /** The answer's text. */
  name: z.string(),
  /** The group it belongs to. */
  group_id: id,
  /** Where it sits among the group's answers. */
  display_order: z.number().int(),
  /** Archived answers stay listed so old instances still resolve. */
  archived: z.boolean(),
});
/** One answer an attribute group offers. */
export type AttributeTemplateReference = z.infer<typeof attributeTemplateReferenceSchema>;

/** A label an attribute group applies to. */
export const attributeGroupLabelReferenceSchema = z.strictObject({
  /** The label's `label_file_id`. */
  id,
  /** The label's name. */
  name: z.string(),
});
/** A label an attribute group applies to. */
export type AttributeGroupLabelReference = z.infer<typeof attributeGroupLabelReferenceSchema>;

/** One entry of `attribute_groups_reference`: an attribute group, its answers and its labels. */
export const attributeGroupReferenceSchema = z.strictObject({
  /** The key instances use in `attribute_groups`. */
  id,
  /** How the group is answered. */
  kind: z.enum(attributeGroupKinds),
  /** The group's name. */
  name: z.string(),
  /** The question shown to annotators. */
  prompt: z.string(),
  /** Asked of whole files (answered on `global` instances) rather than of labelled instances. */
  is_global: z.boolean(),
  /** Slider minimum, else null. */
  min_value: z.number().nullable(),
  /** Slider maximum, else null. */
  max_value: z.number().nullable(),
  /** The answer given when none is chosen, else null. */
  default_value: z.string().nullable(),
  /** The group's answers. */
  attribute_template_list: z.array(attributeTemplateReferenceSchema),
  /** The labels the group applies to (empty for a global group). */
  label_file_list: z.array(attributeGroupLabelReferenceSchema),
});
/** One entry of `attribute_groups_reference`. */
export type AttributeGroupReference = z.infer<typeof attributeGroupReferenceSchema>;

// ---------------------------------------------------------------------------------------------
// Instances

function commonInstanceShape<T extends InstanceType>(type: T) {
  return {
    /** The instance's id. */
    id,
    /** The instance type; decides which other fields it carries. */
    type: z.literal(type),
    /** The label drawn; null only for `global` instances. */
    label_file_id: type === 'global' ? id.nullable() : id,
    /** Attribute answers keyed by attribute-group id, or null when none. */
    attribute_groups: attributeValuesSchema.nullable(),
    /** Present (always true) only on soft-deleted instances of an export that asked for them. */
    removed: z.literal(true).optional(),
  };
}

/**
 * The fields of an instance on a video frame. `number` is the sequence's number and
 * `local_sequence_number` the instance's place in it; both are null for a frame instance outside
 * any sequence.
 */
export const videoFrameFieldsShape = {
  /** The frame within the clip. */
  frame_number: count,
  /** The frame within the original video: `global_frame_start + frame_number`. */
  global_frame_number: count,
  /** The instance's position within its sequence. */
  local_sequence_number: z.number().int().nullable(),
  /** The sequence's number (per label, per video). */
  number: z.number().int().nullable(),
  /** Filled in between keyframes rather than drawn. */
  interpolated: z.boolean(),
};

const instanceShapes = {
  box: { ...commonInstanceShape('box'), ...geometrySchemas.box.shape },
  polygon: { ...commonInstanceShape('polygon'), ...geometrySchemas.polygon.shape },
  line: { ...commonInstanceShape('line'), ...geometrySchemas.line.shape },
  point: { ...commonInstanceShape('point'), ...geometrySchemas.point.shape },
  ellipse: { ...commonInstanceShape('ellipse'), ...geometrySchemas.ellipse.shape },
  cuboid: { ...commonInstanceShape('cuboid'), ...geometrySchemas.cuboid.shape },
  keypoints: { ...commonInstanceShape('keypoints'), ...geometrySchemas.keypoints.shape },
  text_token: { ...commonInstanceShape('text_token'), ...geometrySchemas.text_token.shape },
  global: commonInstanceShape('global'),
};

/** Per type, an instance on an image, a text or a whole video: the common fields plus its geometry, nothing else. */
export const instanceSchemas = {
  box: z.strictObject(instanceShapes.box),
  polygon: z.strictObject(instanceShapes.polygon),
  line: z.strictObject(instanceShapes.line),
  point: z.strictObject(instanceShapes.point),
  ellipse: z.strictObject(instanceShapes.ellipse),
  cuboid: z.strictObject(instanceShapes.cuboid),
  keypoints: z.strictObject(instanceShapes.keypoints),
  text_token: z.strictObject(instanceShapes.text_token),
  global: z.strictObject(instanceShapes.global),
};

/** Per type, an instance on a video frame: the same fields plus the video-frame fields. */
export const videoFrameInstanceSchemas = {
  box: z.strictObject({ ...instanceShapes.box, ...videoFrameFieldsShape }),
  polygon: z.strictObject({ ...instanceShapes.polygon, ...videoFrameFieldsShape }),
  line: z.strictObject({ ...instanceShapes.line, ...videoFrameFieldsShape }),
  point: z.strictObject({ ...instanceShapes.point, ...videoFrameFieldsShape }),
  ellipse: z.strictObject({ ...instanceShapes.ellipse, ...videoFrameFieldsShape }),
  cuboid: z.strictObject({ ...instanceShapes.cuboid, ...videoFrameFieldsShape }),
  keypoints: z.strictObject({ ...instanceShapes.keypoints, ...videoFrameFieldsShape }),
  text_token: z.strictObject({ ...instanceShapes.text_token, ...videoFrameFieldsShape }),
  global: z.strictObject({ ...instanceShapes.global, ...videoFrameFieldsShape }),
};

/** An instance of an image or text file (or on a whole video), discriminated on `type`. */
export const instanceSchema = z.discriminatedUnion('type', [
  instanceSchemas.box,
  instanceSchemas.polygon,
  instanceSchemas.line,
  instanceSchemas.point,
  instanceSchemas.ellipse,
  instanceSchemas.cuboid,
  instanceSchemas.keypoints,
  instanceSchemas.text_token,
  instanceSchemas.global,
]);
/** An instance of an image or text file, or on a whole video. */
export type Instance = z.infer<typeof instanceSchema>;
/** The instance of one type. */
export type InstanceOfType<T extends InstanceType> = Extract<Instance, { type: T }>;

/** An instance on a video frame, discriminated on `type`. */
export const videoFrameInstanceSchema = z.discriminatedUnion('type', [
  videoFrameInstanceSchemas.box,
  videoFrameInstanceSchemas.polygon,
  videoFrameInstanceSchemas.line,
  videoFrameInstanceSchemas.point,
  videoFrameInstanceSchemas.ellipse,
  videoFrameInstanceSchemas.cuboid,
  videoFrameInstanceSchemas.keypoints,
  videoFrameInstanceSchemas.text_token,
  videoFrameInstanceSchemas.global,
]);
/** An instance on a video frame. */
export type VideoFrameInstance = z.infer<typeof videoFrameInstanceSchema>;

/** Any instance a file can hold. */
export type AnyInstance = Instance | VideoFrameInstance;

/** The type-specific field names of each instance type, as the format page's instance table lists them. */
export const instanceGeometryFields: Readonly<Record<InstanceType, readonly string[]>> = {
  box: Object.keys(geometrySchemas.box.shape),
  polygon: Object.keys(geometrySchemas.polygon.shape),
  line: Object.keys(geometrySchemas.line.shape),
  point: Object.keys(geometrySchemas.point.shape),
  ellipse: Object.keys(geometrySchemas.ellipse.shape),
  cuboid: Object.keys(geometrySchemas.cuboid.shape),
  keypoints: Object.keys(geometrySchemas.keypoints.shape),
  text_token: Object.keys(geometrySchemas.text_token.shape),
  global: [],
};

/** The video-frame field names, which only instances on video frames carry. */
export const videoFrameFields = Object.keys(
  videoFrameFieldsShape,
) as readonly (keyof typeof videoFrameFieldsShape)[];

// ---------------------------------------------------------------------------------------------
// File packets

const fileBlockShape = {
  /** The file's id (equal to the packet's top-level key). */
  id: z.number().int().positive(),
  /** The name the file was uploaded with. */
  original_filename: z.string(),
  /** The media type; decides the media block. */
  type: z.enum(fileTypes),
  /** When the file was added (ISO-8601 UTC). */
  created_time: z.string(),
  /** The file's own completion flag (not a task's status). */
  ann_is_complete: z.boolean(),
  /** A signed URL of the media (the same URL as the media block's). */
  blob_url: z.string(),
};

/** A packet's `file` block. */
export const fileBlockSchema = z.strictObject(fileBlockShape);
/** A packet's `file` block. */
export type FileBlock = z.infer<typeof fileBlockSchema>;

const unixTime = z.number().int().min(0);

/** The `image` media block. */
export const imageBlockSchema = z.strictObject({
  /** Pixels; instance coordinates are in this space. */
  width: z.number().int().nullable(),
  /** Pixels. */
  height: z.number().int().nullable(),
  /** Rotation to apply to display the image upright. */
  rotation_degrees: z.number().int().nullable(),
  /** The name the file was uploaded with. */
  original_filename: z.string(),
  /** Signed URL of the image. */
  image_signed_url: z.string(),
  /** Unix time (seconds) at which `image_signed_url` stops working. */
  image_signed_expiry: unixTime,
});
/** The `image` media block. */
export type ImageBlock = z.infer<typeof imageBlockSchema>;

/** The `video` media block. */
export const videoBlockSchema = z.strictObject({
  /** Pixels. */
  width: z.number().int().nullable(),
  /** Pixels. */
  height: z.number().int().nullable(),
  /** Frames per second as stored. */
  frame_rate: z.number().nullable(),
  /** Frames in this clip. */
  frame_count: z.number().int().nullable(),
  /** Frames per second of the upload, before conversion. */
  original_fps: z.number().nullable(),
  /** `frame_rate / original_fps` when converted at import. */
  fps_conversion_ratio: z.number().nullable(),
  /** Where the clip starts in the original video, in seconds. */
  offset_in_seconds: z.number().nullable(),
  /** The original video's frame this clip starts at (0 for an unsplit video). */
  global_frame_start: count,
  /** Signed URL of the MP4. */
  mp4_video_signed_url: z.string(),
  /** Unix time (seconds) at which `mp4_video_signed_url` stops working. */
  mp4_video_signed_expiry: unixTime,
});
/** The `video` media block. */
export type VideoBlock = z.infer<typeof videoBlockSchema>;

/** One token of a text file. */
export const textTokenSchema = z.strictObject({
  /** The token's id. */
  id: z.number().int(),
  /** The token's text. */
  text: z.string(),
  /** First character (0-based, inclusive). */
  start_char: z.number().int(),
  /** Last character (exclusive). */
  end_char: z.number().int(),
});
/** One token of a text file. */
export type TextToken = z.infer<typeof textTokenSchema>;

/** The `text` media block. */
export const textBlockSchema = z.strictObject({
  /** The name the file was uploaded with. */
  original_filename: z.string(),
  /** The text's tokens, which `text_token` instances point into. */
  tokens: z.array(textTokenSchema),
  /** Signed URL of the raw text. */
  signed_url: z.string(),
  /** Unix time (seconds) at which `signed_url` stops working. */
  signed_expiry: unixTime,
});
/** The `text` media block. */
export type TextBlock = z.infer<typeof textBlockSchema>;

/** One tracked object across a video's frames, with its instances. */
export const videoSequenceSchema = z.strictObject({
  /** The sequence's id. */
  id,
  /** The label tracked. */
  label_file_id: id,
  /** The sequence's number within its label on this video. */
  number: z.number().int(),
  /** Frames the annotator set by hand. */
  keyframe_list: z.array(z.number().int()),
  /** The object appears on one frame only. */
  single_frame: z.boolean(),
  /** The sequence's instances, one per frame, each with the video-frame fields. */
  instance_list: z.array(videoFrameInstanceSchema),
});
/** One tracked object across a video's frames. */
export type VideoSequence = z.infer<typeof videoSequenceSchema>;

/** The packet of an image file. */
export const imageFilePacketSchema = z.strictObject({
  /** The file. */
  file: z.strictObject({ ...fileBlockShape, type: z.literal('image') }),
  /** Its media block. */
  image: imageBlockSchema,
  /** Its instances. */
  instance_list: z.array(instanceSchema),
});
/** The packet of an image file. */
export type ImageFilePacket = z.infer<typeof imageFilePacketSchema>;

/** The packet of a video file (or clip). */
export const videoFilePacketSchema = z.strictObject({
  /** The file. */
  file: z.strictObject({ ...fileBlockShape, type: z.literal('video') }),
  /** Its media block. */
  video: videoBlockSchema,
  /** Instances on the whole video (file-level attributes), and any frame instance outside a sequence. */
  parent_instance_list: z.array(z.union([instanceSchema, videoFrameInstanceSchema])),
  /** Its sequences, each with its frame instances. */
  sequence_list: z.array(videoSequenceSchema),
});
/** The packet of a video file. */
export type VideoFilePacket = z.infer<typeof videoFilePacketSchema>;

/** The packet of a text file. */
export const textFilePacketSchema = z.strictObject({
  /** The file. */
  file: z.strictObject({ ...fileBlockShape, type: z.literal('text') }),
  /** Its media block. */
  text: textBlockSchema,
  /** Its instances. */
  instance_list: z.array(instanceSchema),
});
/** The packet of a text file. */
export type TextFilePacket = z.infer<typeof textFilePacketSchema>;

/** Any file packet; `file.type` says which. */
export const filePacketSchema = z.union([
  imageFilePacketSchema,
  videoFilePacketSchema,
  textFilePacketSchema,
]);
/** Any file packet. */
export type FilePacket = z.infer<typeof filePacketSchema>;

/** How many instances a packet holds, sequence instances included. */
export function countPacketInstances(packet: FilePacket): number {
  if ('sequence_list' in packet) {
    return packet.sequence_list.reduce(
      (sum, sequence) => sum + sequence.instance_list.length,
      packet.parent_instance_list.length,
    );
  }
  return packet.instance_list.length;
}

// ---------------------------------------------------------------------------------------------
// The whole file

/** The five metadata entries of a file. */
export interface ExportFileMetadata {
  /** What the file is and where the format is documented. */
  readme: Readme;
  /** Label name by `label_file_id`. */
  label_map: LabelMap;
  /** Label colour by `label_file_id`. */
  label_colour_map: LabelColourMap;
  /** The export's own record, with the check values. */
  export_info: ExportInfo;
  /** The project's attribute groups. */
  attribute_groups_reference: AttributeGroupReference[];
}

/** A whole export file: the metadata, then one packet per file keyed by file id. */
export type ExportFile = ExportFileMetadata & { [fileId: `${number}`]: FilePacket };

const metadataSchemas = {
  readme: readmeSchema,
  label_map: labelMapSchema,
  label_colour_map: labelColourMapSchema,
  export_info: exportInfoSchema,
  attribute_groups_reference: z.array(attributeGroupReferenceSchema),
} as const satisfies Record<MetadataKey, z.ZodType>;

const packetSchemaByType = {
  image: imageFilePacketSchema,
  video: videoFilePacketSchema,
  text: textFilePacketSchema,
} as const;

/**
 * Parses one file packet with the schema its `file.type` names, so a bad packet's issues point at
 * its fields rather than at a failed union. Readers streaming a file packet by packet use this.
 */
export function parseFilePacket(value: unknown): z.ZodSafeParseResult<FilePacket> {
  const type = (value as { file?: { type?: unknown } } | null)?.file?.type;
  if (type === 'image' || type === 'video' || type === 'text')
    return packetSchemaByType[type].safeParse(value);
  return filePacketSchema.safeParse(value);
}

/**
 * Validates a whole file object: the five metadata entries, every other key an integer file id
 * whose packet is valid and names the same id, and the check values (`file_list_length`,
 * `instance_count`) equal to what the file holds. Every problem is reported, each at its path.
 */
export const exportFileSchema: z.ZodType<ExportFile> = z
  .record(z.string(), z.unknown())
  .superRefine((file, ctx) => {
    const report = (path: PropertyKey[], message: string) =>
      ctx.addIssue({ code: 'custom', path, message });
    let exportInfo: ExportInfo | undefined;
    for (const key of metadataKeys) {
      if (!(key in file)) {
        report([key], `metadata key "${key}" is missing`);
        continue;
      }
      const parsed = metadataSchemas[key].safeParse(file[key]);
      if (!parsed.success) {
        for (const issue of parsed.error.issues) report([key, ...issue.path], issue.message);
      } else if (key === 'export_info') {
        exportInfo = parsed.data as ExportInfo;
      }
    }
    let packets = 0;
    let instances = 0;
    for (const [key, value] of Object.entries(file)) {
      if (isMetadataKey(key)) continue;
      if (!isFileIdKey(key)) {
        report(
          [key],
          `top-level key "${key}" is neither a metadata key (${metadataKeys.join(', ')}) nor an integer file id`,
        );
        continue;
      }
      packets += 1;
      const parsed = parseFilePacket(value);
      if (!parsed.success) {
        for (const issue of parsed.error.issues) report([key, ...issue.path], issue.message);
        continue;
      }
      instances += countPacketInstances(parsed.data);
      if (parsed.data.file.id !== Number(key)) {
        report([key, 'file', 'id'], `packet under key ${key} is for file ${parsed.data.file.id}`);
      }
    }
    if (exportInfo === undefined) return;
    if (exportInfo.file_list_length !== packets) {
      report(
        ['export_info', 'file_list_length'],
        `file_list_length is ${exportInfo.file_list_length} but the file holds ${packets} file packets`,
      );
    }
    if (exportInfo.instance_count !== instances) {
      report(
        ['export_info', 'instance_count'],
        `instance_count is ${exportInfo.instance_count} but the file holds ${instances} instances`,
      );
    }
  })
  .transform((file) => file as unknown as ExportFile);
