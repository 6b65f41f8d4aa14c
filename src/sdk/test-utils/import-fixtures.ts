import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { isFileIdKey } from '../../contract/export-file.ts';
import type { Project } from '../project-client.ts';

/** Files to import, made from a test server's own export of the demo's Luckfrill directory. */
export interface ImportFixtures {
  /** Luckfrill exported with all files and removed instances: a Diffgram JSON file that imports whole. */
  good: string;
  /** Its packets' keys (the source's file ids). */
  packetKeys: string[];
  /** The same file with one instance's `x_max` made text, in the packet `brokenKey`. */
  broken: string;
  /** The bad packet's key. */
  brokenKey: string;
  /** Where in that packet: `instance_list[N] › x_max`. */
  brokenPath: string;
  /** A CSV file: not Diffgram JSON at all. */
  notDiffgram: string;
}

function brokenCopy(data: Record<string, unknown>): { key: string; path: string } {
  for (const key of Object.keys(data).filter(isFileIdKey)) {
    const packet = data[key] as { instance_list?: unknown };
    if (!Array.isArray(packet.instance_list)) continue;
    const index = packet.instance_list.findIndex(
      (instance: unknown) =>
        typeof instance === 'object' &&
        instance !== null &&
        typeof (instance as { x_max?: unknown }).x_max === 'number',
    );
    if (index === -1) continue;
    (packet.instance_list[index] as { x_max: unknown }).x_max = 'wide';
    return { key, path: `instance_list[${index}] › x_max` };
  }
  throw new Error('the Luckfrill export has no instance with an x_max to break');
}

/** Exports Luckfrill (all files, removed instances too) through the SDK and writes the fixtures in `dir`. */
export async function writeImportFixtures(project: Project, dir: string): Promise<ImportFixtures> {
  const luckfrill = await project.directory.getByName('Luckfrill');
  const data = await luckfrill.generateExport({ annIsComplete: false, includeRemoved: true });
  const good = path.join(dir, 'luckfrill.json');
  await writeFile(good, JSON.stringify(data));
  const copy = JSON.parse(JSON.stringify(data)) as Record<string, unknown>;
  const { key, path: brokenPath } = brokenCopy(copy);
  const broken = path.join(dir, 'luckfrill-broken.json');
  await writeFile(broken, JSON.stringify(copy));
  const notDiffgram = path.join(dir, 'labels.csv');
  await writeFile(notDiffgram, 'id,name\n1,car\n2,person\n');
  return {
    good,
    packetKeys: Object.keys(data).filter(isFileIdKey),
    broken,
    brokenKey: key,
    brokenPath,
    notDiffgram,
  };
}
