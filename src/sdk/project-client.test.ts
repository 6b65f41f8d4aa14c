import { describe, expect, it } from 'vitest';
import { isFileIdKey, metadataKeys } from '../contract/export-file.ts';
import type { AnyInstance, ExportFile, FilePacket } from '../contract/export-file.ts';
import { AnnexError, InvalidInputError, NotFoundError } from './annex-errors.ts';
import { Export } from './export-handle.ts';
import { useDemoProject } from './test-utils/demo-project.ts';
import { downloadAsPanel } from './test-utils/download-as-panel.ts';

// The Project client against a real server with the demo, as a script uses it: the seed SDK
// section (generate, wait, list, get), directories and export options, streaming, and the Export
// handle. Its errors are in project-client-errors.test.ts.

const demo = useDemoProject();

function packetsOf(data: ExportFile): [string, FilePacket][] {
  return Object.entries(data).filter(([key]) => isFileIdKey(key)) as [string, FilePacket][];
}

async function count(entries: AsyncIterable<unknown>): Promise<number> {
  let seen = 0;
  for await (const _entry of entries) seen += 1;
  return seen;
}

function instancesOf(packet: FilePacket): AnyInstance[] {
  if ('sequence_list' in packet) {
    return [
      ...packet.parent_instance_list,
      ...packet.sequence_list.flatMap((sequence) => sequence.instance_list),
    ];
  }
  return packet.instance_list;
}

describe('the seed SDK section, in TypeScript', () => {
  it('From a job: getById then generateExport() waits and returns the parsed file, equal to the panel download', async () => {
    const job = await demo.project.job.getById(demo.streetJob.id);
    expect(job.name).toBe('Street scenes, round 1');

    const data = await job.generateExport();

    expect(data.export_info.source).toBe('job');
    expect(data.export_info.job?.id).toBe(job.id);
    expect(data.export_info.ann_is_complete).toBe(true);
    const packets = packetsOf(data);
    expect(packets.length).toBeGreaterThan(0);
    expect(packets.length).toBe(data.export_info.file_list_length);
    const exported = await demo.project.export.getById(data.export_info.id);
    expect(exported.status).toBe('complete');
    expect(exported.file_list_length).toBe(packets.length);
    const panel = await downloadAsPanel(demo.server, 'demo', exported.id);
    expect(panel.json).toEqual(data);
    expect(panel.sha256).toBe(exported.sha256);
  });

  it("Return URL: returnType 'url' returns a link that serves the export's file", async () => {
    const job = await demo.project.job.getById(demo.streetJob.id);

    const url = await job.generateExport({ returnType: 'url' });

    expect(typeof url).toBe('string');
    expect(url.startsWith(`${demo.server.host}/`)).toBe(true);
    const response = await fetch(url);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    const bytes = Buffer.from(await response.arrayBuffer());
    const data = JSON.parse(bytes.toString('utf8')) as ExportFile;
    const exported = await demo.project.export.getById(data.export_info.id);
    expect(bytes.length).toBe(exported.size_bytes);
    expect(data).toEqual(await exported.accessData());
  });

  it('Without blocking: an Export (metadata) at once, then waitUntilDone, then accessData', async () => {
    const job = await demo.project.job.getById(demo.streetJob.id);

    const exp = await job.generateExport({ waitForExportGeneration: false });

    expect(exp).toBeInstanceOf(Export);
    expect(exp.status).toBe('queued');
    expect(exp.source).toBe('job');
    expect(exp.job).toEqual({ id: job.id, name: job.name });
    expect(Object.keys(exp.toJSON())).not.toContain('instance_list');
    expect(JSON.parse(JSON.stringify(exp))).toEqual(exp.toJSON());

    const seen: string[] = [];
    await exp.waitUntilDone({ pollMs: 50, onProgress: (current) => seen.push(current.status) });

    expect(seen[0]).toBe('queued');
    expect(seen.at(-1)).toBe('complete');
    expect(exp.status).toBe('complete');
    expect(exp.percent_complete).toBe(100);
    const url = await exp.accessData({ returnType: 'url' });
    expect(url.startsWith(`${demo.server.host}/`)).toBe(true);
    const data = await exp.accessData();
    expect(data.export_info.id).toBe(exp.id);
    expect((await downloadAsPanel(demo.server, 'demo', exp.id)).json).toEqual(data);
  });

  it('Access existing exports: list() walks every page newest first; listAll()[0] is the newest', async () => {
    const directory = await demo.project.directory.default();
    const created: Export[] = [];
    for (let n = 0; n < 3; n += 1)
      created.push(await directory.generateExport({ waitForExportGeneration: false }));
    const newestId = Math.max(...created.map((item) => item.id));

    const firstPage = await demo.project.export.listPage({ limit: 2 });
    const walked: number[] = [];
    for await (const item of demo.project.export.list({ limit: 2 })) walked.push(item.id);
    const all = await demo.project.export.listAll();

    expect(firstPage.exports).toHaveLength(2);
    expect(firstPage.nextCursor).not.toBeNull();
    expect(firstPage.total).toBeGreaterThanOrEqual(created.length);
    expect(walked).toHaveLength(firstPage.total);
    expect(new Set(walked).size).toBe(walked.length);
    expect(walked).toEqual([...walked].sort((a, b) => b - a));
    expect(walked).toEqual(expect.arrayContaining(created.map((item) => item.id)));
    expect(all.map((item) => item.id)).toEqual(walked);

    const exp = all[0];
    if (exp === undefined) throw new Error('the list is empty');
    expect(exp.id).toBe(newestId);
    await exp.waitUntilDone({ pollMs: 50 });
    const url = await exp.accessData({ returnType: 'url' });
    expect((await fetch(url)).status).toBe(200);
  });

  it('listPage filters by source and refuses a bad page size', async () => {
    const page = await demo.project.export.listPage({ source: 'directory', limit: 100 });
    expect(page.exports.length).toBeGreaterThan(0);
    expect(page.exports.every((item) => item.source === 'directory')).toBe(true);
    await expect(demo.project.export.listPage({ limit: 500 })).rejects.toThrow(InvalidInputError);
    await expect(demo.project.export.listPage({ cursor: 'abc' })).rejects.toThrow(/cursor/);
  });
});

describe('directories and export options', () => {
  it('finds the default directory by name and by id', async () => {
    const byDefault = await demo.project.directory.default();
    const byName = await demo.project.directory.getByName('Luckfrill');
    const byId = await demo.project.directory.getById(byName.id);

    expect(byDefault.nickname).toBe('Luckfrill');
    expect(byName).toEqual(byDefault);
    expect(byId).toEqual(byDefault);
    expect((await demo.project.directory.list()).map((directory) => directory.nickname)).toContain(
      'Luckfrill',
    );
  });

  it("the directory's file counts are the export's check values: completed only, and All", async () => {
    const directory = await demo.project.directory.getByName('Luckfrill');

    const completed = await directory.generateExport();
    const all = await directory.generateExport({ annIsComplete: false });

    expect(completed.export_info.file_list_length).toBe(directory.completed_file_count);
    expect(all.export_info.file_list_length).toBe(directory.file_count);
    expect(all.export_info.ann_is_complete).toBe(false);
    expect(packetsOf(all).length).toBeGreaterThan(packetsOf(completed).length);
    expect(packetsOf(completed).every(([, packet]) => packet.file.ann_is_complete)).toBe(true);
  });

  it('includeRemoved writes soft-deleted instances, each marked removed; the default leaves them out', async () => {
    const directory = await demo.project.directory.default();

    const without = await directory.generateExport({ annIsComplete: false });
    const withRemoved = await directory.generateExport({
      annIsComplete: false,
      includeRemoved: true,
    });

    const removedIn = (data: ExportFile) =>
      packetsOf(data)
        .flatMap(([, packet]) => instancesOf(packet))
        .filter((instance) => instance.removed === true);
    expect(removedIn(without)).toHaveLength(0);
    expect(removedIn(withRemoved).length).toBeGreaterThan(0);
    expect(withRemoved.export_info.include_removed).toBe(true);
  });
});

describe('streamFilePackets', () => {
  it('yields the same packets and metadata as the parsed file', async () => {
    const exp = await (
      await demo.project.directory.default()
    ).generateExport({
      waitForExportGeneration: false,
      annIsComplete: false,
    });
    await exp.waitUntilDone({ pollMs: 50 });
    const data = await exp.accessData();

    const stream = exp.streamFilePackets();
    expect(() => stream.completeMetadata()).toThrow(AnnexError);
    const rebuilt: Record<string, unknown> = {};
    for await (const [fileId, packet] of stream) {
      expect(packet.file.id).toBe(fileId);
      rebuilt[String(fileId)] = packet;
    }
    const metadata = stream.completeMetadata();

    expect(Object.keys(metadata).sort()).toEqual([...metadataKeys].sort());
    expect({ ...metadata, ...rebuilt }).toEqual(data);
    expect(Object.keys(rebuilt)).toHaveLength(data.export_info.file_list_length);
  });

  it('stops cleanly when the loop breaks early, and reads its file only once', async () => {
    const [newest] = await demo.project.export.listAll({ source: 'directory' });
    if (newest === undefined) throw new Error('no directory export to stream');
    await newest.waitUntilDone({ pollMs: 50 });

    const stream = newest.streamFilePackets();
    let read = 0;
    for await (const [fileId] of stream) {
      expect(fileId).toBeGreaterThan(0);
      read += 1;
      break;
    }

    expect(read).toBe(1);
    await expect(count(stream)).rejects.toThrow(/read already/);
    expect(await count(newest.streamFilePackets())).toBe(newest.file_list_length);
  });
});

describe('Export', () => {
  it('download() writes the file byte for byte; archive() removes the export', async () => {
    const exp = await demo.streetJob.generateExport({ waitForExportGeneration: false });
    await exp.waitUntilDone({ pollMs: 50 });
    const chunks: Buffer[] = [];
    const { Writable } = await import('node:stream');
    const sink = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        chunks.push(chunk);
        callback();
      },
    });
    const progress: number[] = [];

    const result = await exp.download(sink, { onProgress: ({ bytes }) => progress.push(bytes) });

    const panel = await downloadAsPanel(demo.server, 'demo', exp.id);
    expect(Buffer.concat(chunks).equals(panel.bytes)).toBe(true);
    expect(result).toEqual({ bytes: panel.bytes.length, sha256: panel.sha256 });
    expect(progress.at(-1)).toBe(panel.bytes.length);

    await exp.archive();
    await expect(demo.project.export.getById(exp.id)).rejects.toThrow(NotFoundError);
  });

  it('refresh() reads the current status into the same object', async () => {
    const exp = await demo.streetJob.generateExport({ waitForExportGeneration: false });
    const same = await demo.project.export.getById(exp.id);
    await same.waitUntilDone({ pollMs: 50 });

    const refreshed = await exp.refresh();

    expect(refreshed).toBe(exp);
    expect(exp.status).toBe('complete');
    expect(exp.sha256).toBe(same.sha256);
  });
});
