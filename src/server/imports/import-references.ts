import type { Kysely } from 'kysely';
import type { DialectName } from '../db/database.ts';
import type { Database } from '../db/schema.ts';
import { lockProjectWrites } from '../annotations/annotation-file-queries.ts';
import { batchesOf, insertBatched } from '../seed/batch-insert.ts';
import type { TargetIds } from './import-id-maps.ts';
import type { ImportMetadata } from './import-metadata.ts';

// What an import makes or finds before it writes any file: the directory, and the project's labels
// and attribute groups (with their answers and the labels they apply to) for the file's, matched by
// name, made when missing. One transaction, so a run that stops here leaves nothing half-made, and a
// second run finds what the first made instead of making it again.

/** The project already has something of the file's name that cannot take the file's meaning. */
export class ImportConflictError extends Error {
  override name = 'ImportConflictError';
}

/** What the references step made or found. */
export interface ImportReferences {
  /** The directory imported into. */
  directoryId: number;
  /** The project's ids for the file's ids. */
  target: TargetIds;
  /** Labels the project did not have. */
  labelsCreated: number;
}

/** The colour a label gets when the file gives it none. */
const defaultLabelColour = '#808080';

/**
 * Finds or makes the directory, labels and attribute groups of an import in `trx` (a transaction).
 * Throws `ImportConflictError` when a group of the same name is of another kind.
 */
export async function prepareReferences(
  trx: Kysely<Database>,
  dialect: DialectName,
  projectId: number,
  directoryName: string,
  metadata: ImportMetadata,
  now: string,
): Promise<ImportReferences> {
  // The project row first, as the write API takes it (POST labels): two imports, or an import and
  // a label write, then take turns, and neither makes a label the other just made.
  await lockProjectWrites(trx, projectId);
  const directoryId = await findOrMakeDirectory(trx, projectId, directoryName, now);

  // Labels by name: every name of label_map, and any a group applies to that label_map lacks.
  const colourByName = new Map<string, string>();
  const sourceLabelNames = new Map<number, string>();
  for (const [id, name] of Object.entries(metadata.labelMap)) {
    sourceLabelNames.set(Number(id), name);
    const colour = metadata.labelColourMap[id]?.hex;
    if (colour !== undefined && !colourByName.has(name))
      colourByName.set(name, colour.toLowerCase());
  }
  const wantedNames = new Set(sourceLabelNames.values());
  for (const group of metadata.attributeGroups)
    for (const label of group.label_file_list) wantedNames.add(label.name);
  const labelIdByName = new Map<string, number>();
  const existingLabels = await trx
    .selectFrom('label')
    .select(['id', 'name'])
    .where('project_id', '=', projectId)
    .orderBy('id')
    .execute();
  for (const label of existingLabels)
    if (!labelIdByName.has(label.name)) labelIdByName.set(label.name, label.id);
  const newLabels = [...wantedNames]
    .filter((name) => !labelIdByName.has(name))
    .map((name) => ({
      project_id: projectId,
      name,
      colour_hex: colourByName.get(name) ?? defaultLabelColour,
    }));
  for (const batch of batchesOf(dialect, newLabels)) {
    const rows = await trx.insertInto('label').values(batch).returning(['id', 'name']).execute();
    for (const row of rows) labelIdByName.set(row.name, row.id);
  }
  const labelIds = new Map<number, number>();
  for (const [sourceId, name] of sourceLabelNames) {
    const id = labelIdByName.get(name);
    if (id !== undefined) labelIds.set(sourceId, id);
  }

  // Attribute groups by name; a group of the file's name must be of the file's kind.
  const groupByName = new Map<string, { id: number; kind: string }>();
  const existingGroups = await trx
    .selectFrom('attribute_group')
    .select(['id', 'name', 'kind'])
    .where('project_id', '=', projectId)
    .orderBy('id')
    .execute();
  for (const group of existingGroups)
    if (!groupByName.has(group.name)) groupByName.set(group.name, group);
  for (const group of metadata.attributeGroups) {
    const existing = groupByName.get(group.name);
    if (existing !== undefined && existing.kind !== group.kind) {
      throw new ImportConflictError(
        `The project's attribute group "${group.name}" is a ${existing.kind} group, but the file's is a ${group.kind} group, so its answers cannot be kept; rename one of them and import again.`,
      );
    }
  }
  const newGroups = new Map<string, (typeof metadata.attributeGroups)[number]>();
  for (const group of metadata.attributeGroups)
    if (!groupByName.has(group.name) && !newGroups.has(group.name))
      newGroups.set(group.name, group);
  const groupRows = [...newGroups.values()].map((group) => ({
    project_id: projectId,
    kind: group.kind,
    name: group.name,
    prompt: group.prompt,
    is_global: group.is_global ? (1 as const) : (0 as const),
    min_value: group.min_value,
    max_value: group.max_value,
    default_value: group.default_value,
    created_time: now,
  }));
  for (const batch of batchesOf(dialect, groupRows)) {
    const rows = await trx
      .insertInto('attribute_group')
      .values(batch)
      .returning(['id', 'name', 'kind'])
      .execute();
    for (const row of rows) groupByName.set(row.name, row);
  }
  const groupIds = new Map<number, number>();
  for (const group of metadata.attributeGroups) {
    const target = groupByName.get(group.name);
    if (target !== undefined) groupIds.set(group.id, target.id);
  }

  // Templates by name within their group.
  const targetGroupIds = [...new Set(groupIds.values())];
  const templateIdByKey = new Map<string, number>();
  const linked = new Set<string>();
  for (let start = 0; start < targetGroupIds.length; start += 1_000) {
    const chunk = targetGroupIds.slice(start, start + 1_000);
    const templates = await trx
      .selectFrom('attribute_template')
      .select(['id', 'group_id', 'name'])
      .where('group_id', 'in', chunk)
      .orderBy('id')
      .execute();
    for (const template of templates) {
      const key = `${template.group_id}/${template.name}`;
      if (!templateIdByKey.has(key)) templateIdByKey.set(key, template.id);
    }
    const links = await trx
      .selectFrom('attribute_group_label')
      .select(['group_id', 'label_id'])
      .where('group_id', 'in', chunk)
      .execute();
    for (const link of links) linked.add(`${link.group_id}/${link.label_id}`);
  }
  const newTemplates = new Map<
    string,
    { group_id: number; name: string; display_order: number; archived: 0 | 1 }
  >();
  const newLinks = new Map<string, { group_id: number; label_id: number }>();
  for (const group of metadata.attributeGroups) {
    const groupId = groupIds.get(group.id);
    if (groupId === undefined) continue;
    for (const template of group.attribute_template_list) {
      const key = `${groupId}/${template.name}`;
      if (templateIdByKey.has(key) || newTemplates.has(key)) continue;
      newTemplates.set(key, {
        group_id: groupId,
        name: template.name,
        display_order: template.display_order,
        archived: template.archived ? 1 : 0,
      });
    }
    for (const label of group.label_file_list) {
      const labelId = labelIdByName.get(label.name);
      if (labelId === undefined) continue;
      const key = `${groupId}/${labelId}`;
      if (!linked.has(key)) newLinks.set(key, { group_id: groupId, label_id: labelId });
    }
  }
  for (const batch of batchesOf(dialect, [...newTemplates.values()])) {
    const rows = await trx
      .insertInto('attribute_template')
      .values(batch)
      .returning(['id', 'group_id', 'name'])
      .execute();
    for (const row of rows) templateIdByKey.set(`${row.group_id}/${row.name}`, row.id);
  }
  await insertBatched(trx, dialect, 'attribute_group_label', [...newLinks.values()]);
  const templateIds = new Map<number, number>();
  for (const group of metadata.attributeGroups) {
    const groupId = groupIds.get(group.id);
    if (groupId === undefined) continue;
    for (const template of group.attribute_template_list) {
      const id = templateIdByKey.get(`${groupId}/${template.name}`);
      if (id !== undefined) templateIds.set(template.id, id);
    }
  }

  return {
    directoryId,
    target: {
      label: (id) => labelIds.get(id),
      group: (id) => groupIds.get(id),
      template: (id) => templateIds.get(id),
    },
    labelsCreated: newLabels.length,
  };
}

async function findOrMakeDirectory(
  trx: Kysely<Database>,
  projectId: number,
  nickname: string,
  now: string,
): Promise<number> {
  const existing = await trx
    .selectFrom('directory')
    .select('id')
    .where('project_id', '=', projectId)
    .where('nickname', '=', nickname)
    .executeTakeFirst();
  if (existing !== undefined) return existing.id;
  // Another writer may make the same directory meanwhile (nicknames are unique per project): then
  // theirs is the one to use.
  await trx
    .insertInto('directory')
    .values({ project_id: projectId, nickname, created_time: now })
    .onConflict((conflict) => conflict.columns(['project_id', 'nickname']).doNothing())
    .execute();
  const made = await trx
    .selectFrom('directory')
    .select('id')
    .where('project_id', '=', projectId)
    .where('nickname', '=', nickname)
    .executeTakeFirstOrThrow();
  return made.id;
}
