import { describe, expect, it } from 'vitest';
import { testDialects } from '../db/test-database.ts';
import { rgbOf } from './export-file-metadata.ts';
import {
  allInstances,
  createdBy,
  createdTime,
  packetsOf,
  useDemoExports,
} from './export-file-test-builders.ts';

// The five metadata keys, read from a written file: `export_info` with its check values, the label
// maps and the attribute groups, each against what the database holds.

describe('a label colour', () => {
  it('splits #rrggbb into 0–255 channels, in either case', () => {
    expect(rgbOf('#ff8000', 'car')).toEqual({ r: 255, g: 128, b: 0 });
    expect(rgbOf('#0A0b0C', 'car')).toEqual({ r: 10, g: 11, b: 12 });
  });

  it('refuses anything else, naming the label', () => {
    for (const hex of ['#fff', 'ff8000', '#ff800', '#gg8000', '#ff800000'])
      expect(() => rgbOf(hex, 'pedestrian')).toThrow(
        `Label "pedestrian" has colour "${hex}", which is not #rrggbb; fix the label's colour.`,
      );
  });
});

describe.each(testDialects)('the metadata of an export file on %s', (dialect) => {
  const demoExports = useDemoExports(dialect);
  const { writeDemo } = demoExports;

  it('writes export_info with every field of the format page and counts equal to what the file holds', async () => {
    const { file, result } = await writeDemo(
      { directory: 'Luckfrill' },
      { annIsComplete: false, includeRemoved: true },
    );
    const packets = packetsOf(file);
    expect(file.export_info).toEqual({
      id: demoExports.exportId,
      export_format_version: '1.0',
      created_time: createdTime,
      kind: 'Annotations',
      source: 'directory',
      ann_is_complete: false,
      project: { name: demoExports.demo.name, project_string_id: 'demo' },
      directory: { id: demoExports.demo.defaultDirectoryId, name: 'Luckfrill' },
      job: null,
      task: null,
      file_list_length: packets.length,
      user_created_email: createdBy,
      instance_count: allInstances(file).length,
      include_removed: true,
    });
    expect(result).toMatchObject({
      fileCount: packets.length,
      instanceCount: allInstances(file).length,
    });
  });

  it('maps every label of the project to its name and colour', async () => {
    const { file } = await writeDemo({ job: 'Text review' });
    const labels = await demoExports.database.db
      .selectFrom('label')
      .selectAll()
      .where('project_id', '=', demoExports.demo.projectId)
      .execute();
    expect(Object.keys(file.label_map).sort()).toEqual(
      Object.values(demoExports.demo.labelIds).map(String).sort(),
    );
    for (const label of labels) {
      expect(file.label_map[String(label.id)]).toBe(label.name);
      const hex = label.colour_hex;
      expect(file.label_colour_map[String(label.id)]).toEqual({
        hex,
        rgba: {
          r: Number.parseInt(hex.slice(1, 3), 16),
          g: Number.parseInt(hex.slice(3, 5), 16),
          b: Number.parseInt(hex.slice(5, 7), 16),
          a: 1,
        },
      });
    }
  });

  it('lists every attribute group with its answers and labels', async () => {
    const { file } = await writeDemo({ job: 'Text review' });
    const groups = file.attribute_groups_reference;
    expect(groups).toHaveLength(demoExports.demo.counts.attributeGroups);
    expect(groups.reduce((sum, group) => sum + group.attribute_template_list.length, 0)).toBe(
      demoExports.demo.counts.attributeTemplates,
    );
    const occlusion = groups.find((group) => group.name === 'occlusion');
    expect(occlusion?.label_file_list.map((label) => label.name)).toEqual([
      'car',
      'pedestrian',
      'cyclist',
    ]);
    expect(
      occlusion?.attribute_template_list.find((template) => template.name === 'unknown')?.archived,
    ).toBe(true);
    const global = groups.filter((group) => group.is_global);
    expect(global.length).toBeGreaterThan(0);
    for (const group of global) expect(group.label_file_list).toEqual([]);
    // Every answer an instance gives names a group of the reference.
    const groupIds = new Set(groups.map((group) => String(group.id)));
    for (const instance of allInstances(file)) {
      for (const key of Object.keys(instance.attribute_groups ?? {}))
        expect(groupIds).toContain(key);
    }
  });
});
