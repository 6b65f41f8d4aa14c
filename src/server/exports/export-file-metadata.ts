import { exportFormatVersion } from '../../contract/export-file.ts';
import type {
  AttributeGroupReference,
  ExportFileMetadata,
  ExportInfo,
  LabelColourMap,
  LabelMap,
  Readme,
} from '../../contract/export-file.ts';
import type { DatabaseReader } from '../db/database.ts';
import type { ResolvedExportSelection } from './export-selection.ts';
import type { ExportSettings } from './export-settings.ts';

// The head of an export file: the five metadata keys. They are written before any packet, so the
// check values in `export_info` are the counts the caller took at the start.

/** The export's own record, beside its settings: what `export_info` says about who, when and which. */
export interface ExportRecord {
  /** The export's id (`export_info.id`). */
  exportId: number;
  /** When the export was asked for, ISO-8601 UTC (`export_info.created_time`). */
  createdTime: string;
  /** Who asked for it, an email (`export_info.user_created_email`). */
  createdBy: string;
}

/** The counts taken at the start, written into `export_info` as the file's check values. */
export interface ExportCheckValues {
  /** File packets the file will hold (`export_info.file_list_length`). */
  fileCount: number;
  /** Instances the file will hold over every packet (`export_info.instance_count`). */
  instanceCount: number;
}

/**
 * Reads the project's labels and attribute groups and builds the five metadata keys of the file.
 * Throws, naming the label, when a label's stored colour is not `#rrggbb`.
 */
export async function buildMetadata(
  database: DatabaseReader,
  selection: ResolvedExportSelection,
  request: ExportSettings & ExportRecord,
  checkValues: ExportCheckValues,
): Promise<ExportFileMetadata> {
  const { project } = selection.source;
  const { labelMap, labelColourMap } = await buildLabelMaps(database, project.id);

  const readme: Readme = {
    format: `Diffgram JSON, export format version ${exportFormatVersion}`,
    about: `Annotations of project "${project.name}" (${project.project_string_id}), exported by annex.`,
    layout:
      "Five metadata keys (readme, label_map, label_colour_map, export_info, attribute_groups_reference); every other key is a file id whose value is that file's packet.",
    check_values:
      'export_info.file_list_length is the number of file packets in this file and export_info.instance_count the number of instances.',
    signed_urls:
      'Each *_signed_url is where the media can be fetched; do not rely on it after the Unix time in the *_signed_expiry beside it.',
    documentation:
      "Diffgram's export file format, version 1.0 (the Diffgram documentation on exports); annex checks every file it writes against that format, kept as zod schemas in annex's src/contract/export-file.ts.",
  };

  // Key order is not part of the format, but it is part of the bytes (and the hash): keep it.
  const exportInfo: ExportInfo = {
    id: request.exportId,
    export_format_version: exportFormatVersion,
    created_time: request.createdTime,
    kind: 'Annotations',
    source: request.source,
    ann_is_complete: request.annIsComplete,
    project: { name: project.name, project_string_id: project.project_string_id },
    directory: selection.source.directory,
    job: selection.source.job,
    task: selection.source.task,
    file_list_length: checkValues.fileCount,
    user_created_email: request.createdBy,
    instance_count: checkValues.instanceCount,
    include_removed: request.includeRemoved,
  };

  return {
    readme,
    label_map: labelMap,
    label_colour_map: labelColourMap,
    export_info: exportInfo,
    attribute_groups_reference: await buildAttributeGroupsReference(database, project.id),
  };
}

async function buildLabelMaps(
  database: DatabaseReader,
  projectId: number,
): Promise<{ labelMap: LabelMap; labelColourMap: LabelColourMap }> {
  const labels = await database.db
    .selectFrom('label')
    .select(['id', 'name', 'colour_hex'])
    .where('project_id', '=', projectId)
    .orderBy('id')
    .execute();
  const labelMap: LabelMap = {};
  const labelColourMap: LabelColourMap = {};
  for (const label of labels) {
    labelMap[String(label.id)] = label.name;
    labelColourMap[String(label.id)] = {
      hex: label.colour_hex,
      rgba: { ...rgbOf(label.colour_hex, label.name), a: 1 },
    };
  }
  return { labelMap, labelColourMap };
}

/** The channels of a `#rrggbb` colour; throws naming the label otherwise (the map would lie). */
export function rgbOf(hex: string, labelName: string): { r: number; g: number; b: number } {
  const match = /^#([0-9a-fA-F]{2})([0-9a-fA-F]{2})([0-9a-fA-F]{2})$/.exec(hex);
  if (match === null)
    throw new Error(
      `Label "${labelName}" has colour "${hex}", which is not #rrggbb; fix the label's colour.`,
    );
  const channel = (digits: string | undefined) => Number.parseInt(digits ?? '', 16);
  return { r: channel(match[1]), g: channel(match[2]), b: channel(match[3]) };
}

async function buildAttributeGroupsReference(
  database: DatabaseReader,
  projectId: number,
): Promise<AttributeGroupReference[]> {
  const { db } = database;
  const groups = await db
    .selectFrom('attribute_group')
    .selectAll()
    .where('project_id', '=', projectId)
    .orderBy('id')
    .execute();
  if (groups.length === 0) return [];
  const groupIds = groups.map((group) => group.id);
  const templates = await db
    .selectFrom('attribute_template')
    .selectAll()
    .where('group_id', 'in', groupIds)
    .orderBy('group_id')
    .orderBy('display_order')
    .orderBy('id')
    .execute();
  const groupLabels = await db
    .selectFrom('attribute_group_label')
    .innerJoin('label', 'label.id', 'attribute_group_label.label_id')
    .select(['attribute_group_label.group_id', 'label.id', 'label.name'])
    .where('attribute_group_label.group_id', 'in', groupIds)
    .orderBy('attribute_group_label.group_id')
    .orderBy('label.id')
    .execute();

  return groups.map((group) => ({
    id: group.id,
    kind: group.kind,
    name: group.name,
    prompt: group.prompt,
    is_global: group.is_global === 1,
    min_value: group.min_value,
    max_value: group.max_value,
    default_value: group.default_value,
    attribute_template_list: templates
      .filter((template) => template.group_id === group.id)
      .map((template) => ({
        id: template.id,
        name: template.name,
        group_id: template.group_id,
        display_order: template.display_order,
        archived: template.archived === 1,
      })),
    label_file_list: groupLabels
      .filter((row) => row.group_id === group.id)
      .map((row) => ({ id: row.id, name: row.name })),
  }));
}
