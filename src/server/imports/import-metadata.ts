import { z } from 'zod';
import {
  attributeGroupReferenceSchema,
  exportFormatVersion,
  labelColourMapSchema,
  labelMapSchema,
  readmeSchema,
} from '../../contract/export-file.ts';
import type {
  AttributeGroupReference,
  LabelColourMap,
  LabelMap,
  MetadataKey,
} from '../../contract/export-file.ts';
import type { ImportProblem } from '../../contract/imports.ts';
import { problemsOfIssues } from './import-problems.ts';
import { freeTextProblem, integerProblem, nameTextProblem } from './import-storable.ts';

// The metadata of an imported file: what the import reads of the five metadata keys. The upload
// check (import-file-check.ts) and the pipeline judge them with the same rules, so a file the route
// accepted is not refused later for its metadata, nor the other way round.
//
// `export_info` is read loosely: Diffgram's own files carry other fields than annex's, and the
// import needs none of them; only a format version other than 1.0 is refused.

/** The metadata an import uses, once read. */
export interface ImportMetadata {
  /** Label name by the file's `label_file_id`. */
  labelMap: LabelMap;
  /** Label colour by `label_file_id`; labels without one get a default colour. */
  labelColourMap: LabelColourMap;
  /** The file's attribute groups (empty when the file has none). */
  attributeGroups: AttributeGroupReference[];
}

const exportInfoVersionSchema = z.looseObject({
  export_format_version: z.literal(exportFormatVersion).optional(),
});

const metadataSchemas = {
  readme: readmeSchema,
  label_map: labelMapSchema,
  label_colour_map: labelColourMapSchema,
  export_info: exportInfoVersionSchema,
  attribute_groups_reference: z.array(attributeGroupReferenceSchema),
} as const satisfies Record<MetadataKey, z.ZodType>;

/**
 * The problems of one metadata value (none when it is fine). A version other than 1.0 says which
 * version it found, since that is the one thing a person can do something about.
 */
export function metadataProblems(key: MetadataKey, value: unknown): ImportProblem[] {
  if (key === 'export_info') {
    const version = (value as { export_format_version?: unknown } | null)?.export_format_version;
    if (version !== undefined && version !== exportFormatVersion) {
      return [
        {
          packet: null,
          path: 'export_info › export_format_version',
          message: `this is format version ${JSON.stringify(version)}; annex imports version ${exportFormatVersion} only`,
        },
      ];
    }
  }
  const parsed = metadataSchemas[key].safeParse(value);
  if (!parsed.success) return problemsOfIssues(null, parsed.error.issues, [key]);
  return storageProblems(key, parsed.data);
}

/** The names and numbers of a metadata value that annex's columns cannot store (import-storable.ts). */
function storageProblems(key: MetadataKey, value: unknown): ImportProblem[] {
  const problems: ImportProblem[] = [];
  const add = (path: string, message: string | undefined) => {
    if (message !== undefined) problems.push({ packet: null, path, message });
  };
  if (key === 'label_map') {
    for (const [id, name] of Object.entries(value as LabelMap))
      add(`${key} › ${id}`, nameTextProblem(name));
  }
  if (key === 'attribute_groups_reference') {
    (value as AttributeGroupReference[]).forEach((group, index) => {
      const at = `${key}[${index}]`;
      add(`${at} › name`, nameTextProblem(group.name));
      add(`${at} › prompt`, freeTextProblem(group.prompt));
      add(`${at} › default_value`, freeTextProblem(group.default_value));
      group.attribute_template_list.forEach((template, templateIndex) => {
        const templateAt = `${at} › attribute_template_list[${templateIndex}]`;
        add(`${templateAt} › name`, nameTextProblem(template.name));
        add(`${templateAt} › display_order`, integerProblem(template.display_order));
      });
      group.label_file_list.forEach((label, labelIndex) =>
        add(`${at} › label_file_list[${labelIndex}] › name`, nameTextProblem(label.name)),
      );
    });
  }
  return problems;
}

/** Collects the metadata values of a file as they are read, and checks them. */
export class MetadataCollector {
  private readonly values = new Map<MetadataKey, unknown>();

  /** Records one metadata value; returns its problems (none when it is fine). */
  add(key: MetadataKey, value: unknown): ImportProblem[] {
    const problems = metadataProblems(key, value);
    if (problems.length === 0) this.values.set(key, value);
    return problems;
  }

  /** True once the key was read (and was fine). */
  has(key: MetadataKey): boolean {
    return this.values.has(key);
  }

  /**
   * True when every metadata value the packets are checked against has been read: a reader can
   * then check packets as they come rather than read the file once more for its metadata.
   */
  get readyForPackets(): boolean {
    return (
      this.has('label_map') &&
      this.has('label_colour_map') &&
      this.has('attribute_groups_reference')
    );
  }

  /** The metadata, once `label_map` was read; undefined without it. */
  result(): ImportMetadata | undefined {
    if (!this.values.has('label_map')) return undefined;
    return {
      labelMap: this.values.get('label_map') as LabelMap,
      labelColourMap: (this.values.get('label_colour_map') as LabelColourMap | undefined) ?? {},
      attributeGroups:
        (this.values.get('attribute_groups_reference') as AttributeGroupReference[] | undefined) ??
        [],
    };
  }
}

/** What a file without a `label_map` is told. */
export const missingLabelMapMessage =
  'the file has no label_map, so its instances cannot be given labels; import the whole Diffgram JSON file as it was exported';
