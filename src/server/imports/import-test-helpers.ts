import fs from 'node:fs';
import path from 'node:path';
import { isMetadataKey } from '../../contract/export-file.ts';
import type {
  AnyInstance,
  AttributeGroupReference,
  ExportFile,
  FilePacket,
} from '../../contract/export-file.ts';
import type { ImportErrorMode } from '../../contract/imports.ts';
import type { AnnexDatabase } from '../db/database.ts';
import { writeExportFile } from '../exports/export-file-writer.ts';
import { runImportWith } from './import-pipeline.ts';
import type { PipelineOptions } from './import-pipeline.ts';
import type { ImportHooks, ImportOutcome } from './import-run.ts';

// What the import tests share: making an empty project, exporting a directory the way the round
// trip does (All, with removed instances, URLs unsigned), importing a file on disk, and a packet with
// every id replaced by the name it stands for, so files from two projects compare.

/** Makes an empty project; returns its id. */
export async function createEmptyProject(
  database: AnnexDatabase,
  stringId: string,
): Promise<number> {
  const row = await database.db
    .insertInto('project')
    .values({
      project_string_id: stringId,
      name: `Imported ${stringId}`,
      default_directory_id: null,
      created_time: '2024-05-01T00:00:00.000Z',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

let exportIds = 0;

/** Exports a directory with All and removed instances to `dir`; returns the file's path and JSON. */
export async function exportDirectory(
  database: AnnexDatabase,
  projectId: number,
  directoryId: number,
  dir: string,
): Promise<{ outPath: string; file: ExportFile }> {
  exportIds += 1;
  const outPath = path.join(dir, `export-${exportIds}-${Date.now()}.json`);
  await writeExportFile(
    database,
    {
      projectId,
      source: 'directory',
      sourceId: directoryId,
      annIsComplete: false,
      includeRemoved: true,
      exportId: exportIds,
      createdTime: '2024-05-02T00:00:00.000Z',
      createdBy: 'importer@example.com',
    },
    outPath,
  );
  return { outPath, file: JSON.parse(fs.readFileSync(outPath, 'utf8')) as ExportFile };
}

/** Imports the file at `filePath` into `directoryName` of a project. */
export function importFile(
  database: AnnexDatabase,
  projectId: number,
  directoryName: string,
  filePath: string,
  onError: ImportErrorMode = 'fail',
  hooks: ImportHooks = {},
  options: PipelineOptions = {},
): Promise<ImportOutcome> {
  return runImportWith(
    options,
    database,
    { importId: 1, projectId, directoryName, onError },
    () => fs.createReadStream(filePath, { highWaterMark: 16 * 1024 }),
    fs.statSync(filePath).size,
    hooks,
  );
}

/** The packets of a file in file order, with their keys. */
export function packetList(file: ExportFile): [string, FilePacket][] {
  return Object.entries(file)
    .filter(([key]) => !isMetadataKey(key))
    .map(([key, packet]) => [key, packet as FilePacket]);
}

/**
 * A file's packets with every id replaced by what it names: labels by name, attribute groups and
 * their answers by name, file, instance and sequence ids and signed URL expiries left out.
 */
export function packetsByName(file: ExportFile): unknown[] {
  const labelName = (id: number | null) =>
    id === null ? null : (file.label_map[String(id)] ?? `?${id}`);
  const groups = new Map<string, AttributeGroupReference>(
    file.attribute_groups_reference.map((group) => [String(group.id), group]),
  );
  const templateName = (group: AttributeGroupReference, id: number) =>
    group.attribute_template_list.find((template) => template.id === id)?.name ?? `?${id}`;
  const answers = (values: AnyInstance['attribute_groups']) => {
    if (values === null) return null;
    const named: Record<string, unknown> = {};
    for (const [key, answer] of Object.entries(values)) {
      const group = groups.get(key);
      if (group === undefined) {
        named[`?${key}`] = answer;
        continue;
      }
      named[group.name] =
        group.kind === 'slider' || group.kind === 'text'
          ? answer
          : Array.isArray(answer)
            ? answer.map((id) => templateName(group, id))
            : templateName(group, Number(answer));
    }
    return named;
  };
  const instance = (value: AnyInstance) => {
    const { id: _id, label_file_id, attribute_groups, ...rest } = value;
    return {
      ...rest,
      label: labelName(label_file_id),
      attribute_groups: answers(attribute_groups),
    };
  };
  return packetList(file).map(([, packet]) => {
    const { id: _id, ...fileBlock } = packet.file;
    if ('image' in packet) {
      const { image_signed_expiry: _expiry, ...image } = packet.image;
      return { file: fileBlock, image, instance_list: packet.instance_list.map(instance) };
    }
    if ('video' in packet) {
      const { mp4_video_signed_expiry: _expiry, ...video } = packet.video;
      return {
        file: fileBlock,
        video,
        parent_instance_list: packet.parent_instance_list.map(instance),
        sequence_list: packet.sequence_list.map(
          ({ id: _sequenceId, label_file_id, instance_list, ...sequence }) => ({
            ...sequence,
            label: labelName(label_file_id),
            instance_list: instance_list.map(instance),
          }),
        ),
      };
    }
    const { signed_expiry: _expiry, ...text } = packet.text;
    return { file: fileBlock, text, instance_list: packet.instance_list.map(instance) };
  });
}

/** A file's labels and attribute groups by name (ids left out), to compare two projects'. */
export function referencesByName(file: ExportFile): unknown {
  return {
    labels: Object.entries(file.label_map)
      .map(([id, name]) => ({ name, colour: file.label_colour_map[id] }))
      .sort((a, b) => a.name.localeCompare(b.name)),
    groups: file.attribute_groups_reference
      .map(({ id: _id, attribute_template_list, label_file_list, ...group }) => ({
        ...group,
        templates: attribute_template_list.map(({ id: _t, group_id: _g, ...template }) => template),
        labels: label_file_list.map((label) => label.name).sort(),
      }))
      .sort((a, b) => a.name.localeCompare(b.name)),
  };
}
