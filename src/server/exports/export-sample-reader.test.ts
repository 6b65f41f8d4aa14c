import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { UnreadableExportFileError } from './export-file-entries.ts';
import { Reservoir, samplePackets, seededRandom } from './export-sample-reader.ts';

// The sampler alone: the generator repeats for a seed, the reservoir keeps every item equally often,
// and a file that is not an export file is refused.

function imagePacket(id: number) {
  return {
    file: {
      id,
      original_filename: `${id}.jpg`,
      type: 'image',
      created_time: '2024-03-04T08:00:00.000Z',
      ann_is_complete: true,
      blob_url: `/m/${id}.jpg`,
    },
    image: {
      width: 10,
      height: 10,
      rotation_degrees: 0,
      original_filename: `${id}.jpg`,
      image_signed_url: `/m/${id}.jpg`,
      image_signed_expiry: 1_900_000_000,
    },
    instance_list: [],
  };
}

function fileOf(ids: number[], head: Record<string, unknown> = {}): () => Readable {
  const body: Record<string, unknown> = {
    label_map: { '1': 'car' },
    label_colour_map: {},
    ...head,
  };
  for (const id of ids) body[String(id)] = imagePacket(id);
  // Small chunks, so entries arrive over many reads as they do from disk.
  return () => Readable.from(JSON.stringify(body).match(/.{1,64}/gs) ?? []);
}

describe('seededRandom', () => {
  it('gives the same numbers for the same seed, others for another, all in [0, 1)', () => {
    const take = (seed: number) => Array.from({ length: 5 }, seededRandom(seed));
    expect(take(42)).toEqual(take(42));
    expect(take(42)).not.toEqual(take(43));
    for (const value of Array.from({ length: 1000 }, seededRandom(9))) {
      expect(value).toBeGreaterThanOrEqual(0);
      expect(value).toBeLessThan(1);
    }
  });
});

describe('Reservoir', () => {
  it('keeps every item about equally often over many seeds (uniform sample)', () => {
    const kept = new Array<number>(20).fill(0);
    const runs = 4000;
    for (let seed = 0; seed < runs; seed++) {
      const reservoir = new Reservoir<number>(5, seededRandom(seed));
      for (let item = 0; item < 20; item++) reservoir.offer(() => item);
      for (const item of reservoir.items) kept[item] = (kept[item] ?? 0) + 1;
    }
    // Each item is kept with chance 5/20: 1000 of 4000 runs, give or take a few standard deviations (~27).
    for (const count of kept) expect(Math.abs(count - 1000)).toBeLessThan(150);
  });

  it('builds only the items it keeps', () => {
    const reservoir = new Reservoir<number>(2, seededRandom(1));
    let built = 0;
    for (let item = 0; item < 100; item++)
      reservoir.offer(() => {
        built += 1;
        return item;
      });
    expect(reservoir.offered).toBe(100);
    expect(built).toBeLessThan(20);
  });
});

describe('samplePackets', () => {
  it('samples from a streamed file and counts its packets', async () => {
    const ids = Array.from({ length: 30 }, (_, i) => i + 1);
    const sampled = await samplePackets(fileOf(ids), 7, { kind: 'random', count: 4, seed: 5 });
    expect(sampled.fileCount).toBe(30);
    expect(sampled.labelMap).toEqual({ '1': 'car' });
    expect(sampled.packets).toHaveLength(4);
    const again = await samplePackets(fileOf(ids), 7, { kind: 'random', count: 4, seed: 5 });
    expect(again.packets).toEqual(sampled.packets);
  });

  it('stops reading once every named file is found', async () => {
    const sampled = await samplePackets(fileOf([1, 2, 3]), 7, { kind: 'file_ids', fileIds: [2] });
    expect(sampled.packets.map((packet) => packet.file.id)).toEqual([2]);
  });

  it('refuses a packet that is not a file packet, and a file without labels', async () => {
    const broken = () =>
      Readable.from([JSON.stringify({ label_map: {}, label_colour_map: {}, '1': { file: {} } })]);
    await expect(samplePackets(broken, 7, { kind: 'random', count: 1, seed: 1 })).rejects.toThrow(
      UnreadableExportFileError,
    );
    const noLabels = () => Readable.from([JSON.stringify({ '1': imagePacket(1) })]);
    await expect(samplePackets(noLabels, 7, { kind: 'file_ids', fileIds: [1] })).rejects.toThrow(
      'The file of export 7 cannot be read as an export file: it has no label_map or no label_colour_map. Generate the export again.',
    );
  });

  it('refuses a file cut short, or not JSON, in export wording', async () => {
    const cut = () => Readable.from(['{"label_map": {"1": "car"}, "label_colour_map": {']);
    await expect(samplePackets(cut, 7, { kind: 'random', count: 1, seed: 1 })).rejects.toThrow(
      /^The file of export 7 cannot be read as an export file: it ends before its JSON does \(after \d+ bytes\), so it was cut short\. Generate the export again\.$/,
    );
    const garbage = () => Readable.from(['this is not JSON']);
    await expect(samplePackets(garbage, 7, { kind: 'random', count: 1, seed: 1 })).rejects.toThrow(
      /^The file of export 7 cannot be read as an export file: it is not valid JSON/,
    );
  });

  it('reads a packet larger than the import limit of 64 MiB', async () => {
    // A long video's packet: valid, however large; the stored file is the server's own.
    const packet = imagePacket(1);
    const big = {
      ...packet,
      file: { ...packet.file, original_filename: 'x'.repeat(65 * 1024 * 1024) },
    };
    const text = `{"label_map": {"1": "car"}, "label_colour_map": {}, "1": ${JSON.stringify(big)}}`;
    const open = () => Readable.from([Buffer.from(text)]);
    const sampled = await samplePackets(open, 7, { kind: 'file_ids', fileIds: [1] });
    expect(sampled.packets.map((packet) => packet.file.id)).toEqual([1]);
  });
});
