import type { AttributeGroupKind } from '../../contract/annotations.ts';
import type { InstanceIdMaps } from '../annotations/instance-rows.ts';
import type { ImportMetadata } from './import-metadata.ts';

// How the ids of an imported file become ids of the project it is imported into. The file's labels,
// attribute groups and answers are matched by name (import-references.ts finds or makes them); the
// instances then go through `instanceContent` with these maps. The validation pass uses the same
// maps with the file's own ids as targets, so a packet that validates is one that maps.

/** The project's ids for the file's ids, by name; identity maps for the validation pass. */
export interface TargetIds {
  /** The project's label id for a file's `label_file_id`. */
  label(sourceId: number): number | undefined;
  /** The project's attribute group id for a file's group id. */
  group(sourceId: number): number | undefined;
  /** The project's template id for a file's template id (of a group of the file). */
  template(sourceId: number): number | undefined;
}

interface SourceGroup {
  kind: AttributeGroupKind;
  templateIds: ReadonlySet<number>;
}

const templateKinds: ReadonlySet<AttributeGroupKind> = new Set(['select', 'radio']);
const templateListKinds: ReadonlySet<AttributeGroupKind> = new Set(['multiple_select', 'tree']);

/** The file's own ids as targets: what the validation pass maps through. */
export function sourceTargetIds(metadata: ImportMetadata): TargetIds {
  const labels = new Set(Object.keys(metadata.labelMap).map(Number));
  const groups = new Set(metadata.attributeGroups.map((group) => group.id));
  const templates = new Set(
    metadata.attributeGroups.flatMap((group) => group.attribute_template_list.map((t) => t.id)),
  );
  const identity = (known: ReadonlySet<number>) => (id: number) => (known.has(id) ? id : undefined);
  return { label: identity(labels), group: identity(groups), template: identity(templates) };
}

/**
 * The instance id maps of a file: labels through `label_map`, attribute answers by the group's kind
 * in `attribute_groups_reference` (a template id for select and radio, a list of template ids for
 * multiple_select and tree, a number for slider, a text for text), each id then through `target`.
 */
export function importIdMaps(metadata: ImportMetadata, target: TargetIds): InstanceIdMaps {
  const groups = new Map<string, SourceGroup>(
    metadata.attributeGroups.map((group) => [
      String(group.id),
      {
        kind: group.kind,
        templateIds: new Set(group.attribute_template_list.map((template) => template.id)),
      },
    ]),
  );
  const labelMap = metadata.labelMap;
  return {
    label: (id) => (String(id) in labelMap ? target.label(id) : undefined),
    attribute: (groupKey, answer) => {
      const group = groups.get(groupKey);
      const groupId = target.group(Number(groupKey));
      if (group === undefined || groupId === undefined) {
        return `attribute group ${groupKey} is not in the file's attribute_groups_reference`;
      }
      const mapTemplate = (id: number): number | string => {
        const mapped = group.templateIds.has(id) ? target.template(id) : undefined;
        return mapped ?? `answer ${id} is not one of the group's templates`;
      };
      if (templateKinds.has(group.kind)) {
        if (typeof answer !== 'number') return `expected a template id (a ${group.kind} answer)`;
        const mapped = mapTemplate(answer);
        return typeof mapped === 'string' ? mapped : { groupKey: String(groupId), answer: mapped };
      }
      if (templateListKinds.has(group.kind)) {
        if (!Array.isArray(answer))
          return `expected a list of template ids (a ${group.kind} answer)`;
        const ids: number[] = [];
        for (const id of answer as readonly number[]) {
          const mapped = mapTemplate(id);
          if (typeof mapped === 'string') return mapped;
          ids.push(mapped);
        }
        return { groupKey: String(groupId), answer: ids };
      }
      if (group.kind === 'slider') {
        if (typeof answer !== 'number') return 'expected a number (a slider answer)';
        return { groupKey: String(groupId), answer };
      }
      if (typeof answer !== 'string') return 'expected a text (a text answer)';
      return { groupKey: String(groupId), answer };
    },
  };
}
