import { Readable } from 'node:stream';
import type { DiffSide } from './export-file-diff.ts';

// Hand-made export files for the diff's tests: packets shaped as annex writes them (image, video and
// text), with signed URLs whose signature and expiry the caller picks, so a test can make two
// exports of the same data that differ only where every pair of exports does.

/** A loose packet or instance, as a test edits it. */
export type Json = Record<string, unknown>;

/** The label map every hand-made file carries. */
export const testLabelMap = { '10': 'cat', '11': 'dog' };

/** A box instance of `label`. */
export function box(id: number, labelFileId: number, xMin = 1): Json {
  return {
    id,
    type: 'box',
    label_file_id: labelFileId,
    attribute_groups: null,
    x_min: xMin,
    y_min: 1,
    x_max: 20,
    y_max: 20,
  };
}

/** An image packet; `signature` stands for what differs between two signings of the same URL. */
export function imagePacket(
  fileId: number,
  instances: Json[],
  options: { complete?: boolean; signature?: string; width?: number } = {},
): Json {
  const url = `https://media.example.com/${fileId}.png?signature=${options.signature ?? 'a'}`;
  const expiry = options.signature === undefined ? 1_900_000_000 : 1_900_000_123;
  return {
    file: {
      id: fileId,
      original_filename: `${fileId}.png`,
      type: 'image',
      created_time: '2024-03-01T00:00:00.000Z',
      ann_is_complete: options.complete ?? true,
      blob_url: url,
    },
    image: {
      width: options.width ?? 640,
      height: 480,
      rotation_degrees: 0,
      original_filename: `${fileId}.png`,
      image_signed_url: url,
      image_signed_expiry: expiry,
    },
    instance_list: instances,
  };
}

/** A video packet with one parent instance and one sequence of frame instances. */
export function videoPacket(fileId: number, parent: Json[], sequenceInstances: Json[]): Json {
  return {
    file: {
      id: fileId,
      original_filename: `${fileId}.mp4`,
      type: 'video',
      created_time: '2024-03-01T00:00:00.000Z',
      ann_is_complete: true,
      blob_url: `https://media.example.com/${fileId}.mp4`,
    },
    video: {
      width: 640,
      height: 480,
      frame_count: 30,
      mp4_video_signed_url: 'u',
      mp4_video_signed_expiry: 1,
    },
    parent_instance_list: parent,
    sequence_list: [
      {
        id: 900 + fileId,
        label_file_id: 11,
        number: 1,
        keyframe_list: [0],
        single_frame: false,
        instance_list: sequenceInstances,
      },
    ],
  };
}

/**
 * An export file's text: the metadata (export_info naming `exportId`), then the packets in the order
 * given. Written entry by entry: a JS object would put integer keys first, in ascending order.
 */
export function exportFileText(
  exportId: number,
  packets: Json[],
  labelMap: Json = testLabelMap,
): string {
  const entries: [string, unknown][] = [
    ['readme', { about: 'a hand-made export for the diff tests' }],
    ['label_map', labelMap],
    ['label_colour_map', {}],
    ['export_info', { id: exportId, created_time: '2024-03-06T09:30:00.000Z' }],
    ['attribute_groups_reference', []],
    ...packets.map((packet): [string, unknown] => [String((packet.file as Json).id), packet]),
  ];
  return `{${entries.map(([key, value]) => `${JSON.stringify(key)}: ${JSON.stringify(value)}`).join(',\n')}}`;
}

/** A diff side of export `exportId` reading `text`, in chunks of `chunkBytes` so packets straddle reads. */
export function sideOf(exportId: number, text: string, chunkBytes = 97): DiffSide {
  return {
    exportId,
    open: () => {
      const bytes = Buffer.from(text);
      const chunks: Buffer[] = [];
      for (let at = 0; at < bytes.length; at += chunkBytes)
        chunks.push(bytes.subarray(at, at + chunkBytes));
      return Readable.from(chunks);
    },
  };
}
