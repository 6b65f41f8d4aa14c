import { describe, expect, it } from 'vitest';
import { maxDiffListed } from '../../contract/export-diff.ts';
import { diffExportFiles, ExportDiffError } from './export-file-diff.ts';
import {
  box,
  exportFileText,
  imagePacket,
  sideOf,
  testLabelMap,
  videoPacket,
} from './export-diff-test-files.ts';
import type { Json } from './export-diff-test-files.ts';

const diff = (from: Json[], to: Json[], labelMaps: { to?: Json } = {}) =>
  diffExportFiles(
    sideOf(1, exportFileText(1, from)),
    sideOf(2, exportFileText(2, to, labelMaps.to)),
  );

describe('diffExportFiles', () => {
  it('finds two exports of the same data identical although their URLs were signed apart', async () => {
    const packets = [imagePacket(1, [box(100, 10)]), imagePacket(2, [box(101, 11)])];
    const resigned = [
      imagePacket(1, [box(100, 10)], { signature: 'b' }),
      imagePacket(2, [box(101, 11)], { signature: 'b' }),
    ];
    const found = await diff(packets, resigned);
    expect(found.identical).toBe(true);
    expect(found.files).toEqual({
      added: { count: 0, file_ids: [] },
      removed: { count: 0, file_ids: [] },
      changed: { count: 0, file_ids: [] },
      completion_changed: { count: 0, file_ids: [] },
      unchanged_count: 2,
    });
    expect(found.instances).toEqual({ added: 0, removed: 0, changed: 0, per_label: [] });
    expect(found.from).toEqual({ file_list_length: 2, instance_count: 2 });
    expect(found.to).toEqual({ file_list_length: 2, instance_count: 2 });
  });

  it('lists files added and removed, with their instances per label', async () => {
    const found = await diff(
      [imagePacket(1, []), imagePacket(2, [box(200, 10), box(201, 11)]), imagePacket(4, [])],
      [imagePacket(1, []), imagePacket(3, [box(300, 10)]), imagePacket(4, []), imagePacket(5, [])],
    );
    expect(found.identical).toBe(false);
    expect(found.files.added).toEqual({ count: 2, file_ids: [3, 5] });
    expect(found.files.removed).toEqual({ count: 1, file_ids: [2] });
    expect(found.files.unchanged_count).toBe(2);
    expect(found.instances).toMatchObject({ added: 1, removed: 2, changed: 0 });
    expect(found.instances.per_label).toEqual([
      { label: 'cat', added: 1, removed: 1, changed: 0 },
      { label: 'dog', added: 0, removed: 1, changed: 0 },
    ]);
  });

  it('matches instances by id: an edit, a relabel, an addition and a removal in one file', async () => {
    const found = await diff(
      [imagePacket(1, [box(1, 10), box(2, 10), box(3, 11)])],
      // Reordered on purpose: order alone is no change.
      [imagePacket(1, [box(4, 11), box(2, 11), box(1, 10, 5)])],
    );
    expect(found.files.changed).toEqual({ count: 1, file_ids: [1] });
    expect(found.instances).toMatchObject({ added: 1, removed: 1, changed: 2 });
    // The relabelled instance counts under its new label.
    expect(found.instances.per_label).toEqual([
      { label: 'dog', added: 1, removed: 1, changed: 1 },
      { label: 'cat', added: 0, removed: 0, changed: 1 },
    ]);
  });

  it('finds instances reordered only unchanged', async () => {
    const found = await diff(
      [imagePacket(1, [box(1, 10), box(2, 11)])],
      [imagePacket(1, [box(2, 11), box(1, 10)])],
    );
    expect(found.identical).toBe(true);
  });

  it('lists a completion change as a changed file too', async () => {
    const found = await diff(
      [imagePacket(1, [box(1, 10)], { complete: false }), imagePacket(2, [])],
      [imagePacket(1, [box(1, 10)], { complete: true }), imagePacket(2, [])],
    );
    expect(found.files.completion_changed).toEqual({ count: 1, file_ids: [1] });
    expect(found.files.changed).toEqual({ count: 1, file_ids: [1] });
    expect(found.instances).toMatchObject({ added: 0, removed: 0, changed: 0 });
  });

  it('counts a media change (a new width) as a changed file with no instance change', async () => {
    const found = await diff([imagePacket(1, [])], [imagePacket(1, [], { width: 800 })]);
    expect(found.files.changed.file_ids).toEqual([1]);
    expect(found.instances.added + found.instances.removed + found.instances.changed).toBe(0);
  });

  it('compares video instances in the parent list and in sequences', async () => {
    const global = {
      id: 50,
      type: 'global',
      label_file_id: null,
      attribute_groups: { '3': 'day' },
    };
    const frame = (id: number, x: number) => ({ ...box(id, 11, x), frame_number: 0 });
    const found = await diff(
      [videoPacket(7, [global], [frame(60, 1), frame(61, 1)])],
      [
        videoPacket(
          7,
          [{ ...global, attribute_groups: { '3': 'night' } }],
          [frame(60, 2), frame(62, 1)],
        ),
      ],
    );
    expect(found.instances).toMatchObject({ added: 1, removed: 1, changed: 2 });
    expect(found.instances.per_label).toEqual([
      { label: 'dog', added: 1, removed: 1, changed: 1 },
      { label: '(no label)', added: 0, removed: 0, changed: 1 },
    ]);
    expect(found.to.instance_count).toBe(3);
  });

  it('names a label deleted since from the older file, and one no file names by its id', async () => {
    const found = await diff([imagePacket(1, [box(1, 10)])], [imagePacket(1, [box(2, 12)])], {
      to: { '11': 'dog', '12': 'bird' },
    });
    expect(found.instances.per_label.map((row) => row.label).sort()).toEqual(['bird', 'cat']);
    const unnamed = await diffExportFiles(
      sideOf(1, exportFileText(1, [imagePacket(1, [])], {})),
      sideOf(2, exportFileText(2, [imagePacket(1, [box(2, 99)])], {})),
    );
    expect(unnamed.instances.per_label).toEqual([
      { label: 'label 99', added: 1, removed: 0, changed: 0 },
    ]);
  });

  it('keeps the first maxDiffListed ids of a list and counts every file', async () => {
    const many = Array.from({ length: maxDiffListed + 5 }, (_, index) =>
      imagePacket(index + 1, []),
    );
    const found = await diffExportFiles(
      sideOf(1, exportFileText(1, []), 4096),
      sideOf(2, exportFileText(2, many, testLabelMap), 4096),
    );
    expect(found.files.added.count).toBe(maxDiffListed + 5);
    expect(found.files.added.file_ids).toHaveLength(maxDiffListed);
    expect(found.files.added.file_ids.at(-1)).toBe(maxDiffListed);
  });

  it('refuses a file whose packets are out of file id order, naming it', async () => {
    const outOfOrder = exportFileText(2, [imagePacket(5, []), imagePacket(3, [])]);
    const attempt = diffExportFiles(sideOf(1, exportFileText(1, [])), sideOf(2, outOfOrder));
    await expect(attempt).rejects.toThrow(ExportDiffError);
    await expect(attempt).rejects.toThrow(
      'The file of export 2 cannot be compared: its packets are not in ascending file id order (file 3 comes after file 5)',
    );
  });

  it('refuses a file id twice', async () => {
    const twice = exportFileText(1, [imagePacket(2, []), imagePacket(2, [])]);
    await expect(
      diffExportFiles(sideOf(1, twice), sideOf(2, exportFileText(2, []))),
    ).rejects.toThrow('file 2 comes after file 2');
  });

  it.each([
    [
      'not JSON',
      '{"readme": {',
      'The file of export 1 cannot be compared: it ends before its JSON does (after 12 bytes), so it was cut short. Generate the export again.',
    ],
    [
      'a packet without a file block',
      '{"3": {"instance_list": []}}',
      'the packet of file 3 is not a file packet (file:',
    ],
    [
      'a packet under another id',
      JSON.stringify({ 4: imagePacket(5, []) }),
      'the packet under key 4 is of file 5',
    ],
    [
      'a stray key',
      '{"hello": 1}',
      'a top-level key "hello" that is neither metadata nor a file id',
    ],
    [
      'an instance twice',
      exportFileText(1, [imagePacket(1, [box(1, 10), box(1, 10)])]),
      'file 1 holds instance 1 twice',
    ],
  ])('refuses %s with a clear error', async (_what, text, message) => {
    await expect(
      diffExportFiles(sideOf(1, text), sideOf(2, exportFileText(2, []))),
    ).rejects.toThrow(message);
  });

  it('stops when its signal aborts', async () => {
    const controller = new AbortController();
    controller.abort(new Error('the client went away'));
    const packets = [imagePacket(1, [])];
    await expect(
      diffExportFiles(
        sideOf(1, exportFileText(1, packets)),
        sideOf(2, exportFileText(2, packets)),
        controller.signal,
      ),
    ).rejects.toThrow('the client went away');
  });
});
