import { describe, expect, it } from 'vitest';
import type { ExportInfo, ImageFilePacket } from '../contract/export-file.ts';
import { buildExportInfo } from '../contract/test-utils/export-file-builders.ts';
import { AnnexError, NetworkError } from './annex-errors.ts';
import { AnnexHttpClient } from './annex-http-client.ts';
import { ExportFileStream } from './export-file-stream.ts';

// The stream reader's own checks, fed files the server would never write. The happy path against
// the real server is in project-client.test.ts.
const client = new AnnexHttpClient('http://127.0.0.1:8080');

function packet(id: number, boxes = 2): ImageFilePacket {
  return {
    file: {
      id,
      original_filename: `street-${id}.jpg`,
      type: 'image',
      created_time: '2024-03-04T08:00:00.000Z',
      ann_is_complete: true,
      blob_url: `https://media.example.com/${id}.jpg`,
    },
    image: {
      width: 1920,
      height: 1080,
      rotation_degrees: 0,
      original_filename: `street-${id}.jpg`,
      image_signed_url: `https://media.example.com/${id}.jpg`,
      image_signed_expiry: 1_900_000_000,
    },
    instance_list: Array.from({ length: boxes }, (_, n) => ({
      id: id * 100 + n,
      type: 'box' as const,
      label_file_id: 1,
      attribute_groups: null,
      x_min: 1,
      y_min: 2,
      x_max: 30,
      y_max: 40,
    })),
  };
}

function exportInfo(files: number, instances: number): ExportInfo {
  return buildExportInfo({ file_list_length: files, instance_count: instances });
}

function exportFile(entries: Record<string, unknown>): Record<string, unknown> {
  return {
    readme: { about: 'a test file' },
    label_map: { '1': 'car' },
    label_colour_map: { '1': { hex: '#e6194b', rgba: { r: 230, g: 25, b: 75, a: 1 } } },
    export_info: exportInfo(2, 4),
    attribute_groups_reference: [],
    '1': packet(1),
    '2': packet(2),
    ...entries,
  };
}

function streamOf(body: string | ReadableStream<Uint8Array>): ExportFileStream {
  return new ExportFileStream({
    client,
    label: 'export 7',
    open: () => Promise.resolve(new Response(body)),
  });
}

async function readAll(stream: ExportFileStream): Promise<number[]> {
  const ids: number[] = [];
  for await (const [fileId] of stream) ids.push(fileId);
  return ids;
}

describe('ExportFileStream', () => {
  it('reads packets and metadata in any key order', async () => {
    const { export_info: info, ...rest } = exportFile({});
    const stream = streamOf(JSON.stringify({ '1': rest['1'], export_info: info, ...rest }));

    expect(await readAll(stream)).toEqual([1, 2]);
    expect(stream.completeMetadata().export_info.file_list_length).toBe(2);
    expect(stream.metadata.label_map).toEqual({ '1': 'car' });
  });

  it('says a truncated file is not valid JSON', async () => {
    const text = JSON.stringify(exportFile({}));

    await expect(readAll(streamOf(text.slice(0, text.length - 40)))).rejects.toThrow(
      /export 7 is not valid JSON/,
    );
  });

  it('refuses a top-level key that is neither metadata nor a file id', async () => {
    const error = await readAll(streamOf(JSON.stringify(exportFile({ extra: 1 })))).catch(
      (caught: unknown) => caught,
    );

    expect(error).toBeInstanceOf(AnnexError);
    expect((error as AnnexError).code).toBe('unexpected_response');
    expect((error as Error).message).toMatch(/top-level key "extra" that is neither metadata/);
  });

  it('refuses a packet filed under another file id', async () => {
    await expect(readAll(streamOf(JSON.stringify(exportFile({ '2': packet(3) }))))).rejects.toThrow(
      /holds the packet of file 3 under key 2/,
    );
  });

  it('refuses a packet that breaks the contract, naming the file and field', async () => {
    const broken = {
      ...packet(2),
      instance_list: [{ id: 1, type: 'box', label_file_id: 1, attribute_groups: null }],
    };

    await expect(readAll(streamOf(JSON.stringify(exportFile({ '2': broken }))))).rejects.toThrow(
      /export 7, file 2 with data that breaks the contract \(instance_list\.0\.x_min/,
    );
  });

  it('checks the check values once every packet is read', async () => {
    const file = exportFile({ export_info: exportInfo(3, 4) });

    await expect(readAll(streamOf(JSON.stringify(file)))).rejects.toThrow(
      'export 7 says it holds 3 files and 4 instances, but it held 2 files and 4 instances.',
    );
  });

  it('refuses a file without all five metadata entries', async () => {
    const { label_map: _labels, ...withoutLabels } = exportFile({});

    await expect(readAll(streamOf(JSON.stringify(withoutLabels)))).rejects.toThrow(
      'export 7 lacks its metadata: label_map.',
    );
  });

  it('turns a connection that breaks mid-file into a NetworkError', async () => {
    const text = JSON.stringify(exportFile({}));
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(text.slice(0, 400)));
        controller.error(new Error('socket hang up'));
      },
    });

    const error = await readAll(streamOf(body)).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(NetworkError);
    expect((error as Error).message).toMatch(
      /Lost the connection to annex at http:\/\/127\.0\.0\.1:8080 while reading export 7/,
    );
  });
});
