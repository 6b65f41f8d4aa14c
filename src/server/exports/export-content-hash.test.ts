import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { ExportFileMetadata, FilePacket } from '../../contract/export-file.ts';
import { ContentHashObserver, withSignedFieldsBlanked } from './export-content-hash.ts';
import { buildPacket } from './export-file-packets.ts';
import { fileRow, instanceRow, sequenceRow } from './export-file-test-builders.ts';

// The content hash on its own: which fields it blanks in the packet text the writer makes (found by
// key, never inside a value), and which differences it sees. Real exports: exports-content.routes.test.ts.

/** A string that holds every signed key as JSON would write it, to tempt a search into a value. */
const tempting =
  '"blob_url":"https://media.test/1.jpg" "image_signed_url":"x" "image_signed_expiry":1 "signed_url":"x" "signed_expiry":1 "mp4_video_signed_url":"x" "mp4_video_signed_expiry":1';

const signed = { url: 'https://media.test/1?signature=a"b', expiry: 1_900_000_000 };

function imagePacket(overrides: { signedUrl?: string; expiry?: number; xMax?: number } = {}) {
  return buildPacket(
    fileRow({ original_filename: tempting, media_url: 'https://media.test/1.jpg' }),
    [
      instanceRow({
        geometry: JSON.stringify({ x_min: 1, y_min: 2, x_max: overrides.xMax ?? 30, y_max: 40 }),
      }),
    ],
    [],
    { url: overrides.signedUrl ?? signed.url, expiry: overrides.expiry ?? signed.expiry },
  );
}

function videoPacket() {
  return buildPacket(
    fileRow({
      type: 'video',
      original_filename: tempting,
      frame_rate: 30,
      frame_count: 10,
      global_frame_start: 0,
    }),
    [instanceRow({ frame_number: 4, sequence_id: 5, local_sequence_number: 1 })],
    [sequenceRow()],
    signed,
  );
}

function textPacket() {
  return buildPacket(
    fileRow({
      type: 'text',
      original_filename: tempting,
      width: null,
      height: null,
      rotation_degrees: null,
      text_tokens: JSON.stringify([{ id: 0, text: tempting, start_char: 0, end_char: 3 }]),
    }),
    [
      instanceRow({
        type: 'text_token',
        geometry: JSON.stringify({ start_char: 0, end_char: 3, start_token: 0, end_token: 0 }),
      }),
    ],
    [],
    signed,
  );
}

/** The packet with its signed fields set to null, built field by field (not by the splice). */
function blankedByHand(packet: FilePacket): unknown {
  const copy = structuredClone(packet) as unknown as Record<string, Record<string, unknown>>;
  const block = (key: string) => {
    const found = copy[key];
    if (found === undefined) throw new Error(`no ${key} block`);
    return found;
  };
  block('file').blob_url = null;
  if ('image' in packet)
    Object.assign(block('image'), { image_signed_url: null, image_signed_expiry: null });
  if ('video' in packet)
    Object.assign(block('video'), { mp4_video_signed_url: null, mp4_video_signed_expiry: null });
  if ('text' in packet) Object.assign(block('text'), { signed_url: null, signed_expiry: null });
  return copy;
}

function head(overrides: Partial<ExportFileMetadata['export_info']> = {}): ExportFileMetadata {
  return {
    readme: {
      format: 'Diffgram JSON, export format version 1.0',
      about: 'test',
      layout: 'test',
      check_values: 'test',
      signed_urls: 'test',
      documentation: 'test',
    },
    label_map: { '3': 'car' },
    label_colour_map: { '3': { hex: '#ff0000', rgba: { r: 255, g: 0, b: 0, a: 1 } } },
    export_info: {
      id: 12,
      export_format_version: '1.0',
      created_time: '2024-03-06T09:30:00.000Z',
      kind: 'Annotations',
      source: 'directory',
      ann_is_complete: true,
      project: { name: 'Demo', project_string_id: 'demo' },
      directory: { id: 2, name: 'Inbox' },
      job: null,
      task: null,
      file_list_length: 1,
      user_created_email: 'lead@example.com',
      instance_count: 1,
      include_removed: false,
      ...overrides,
    },
    attribute_groups_reference: [],
  };
}

/** The content hash of a head and packets, through the observer. */
function contentHashOf(
  metadata: ExportFileMetadata,
  packets: FilePacket[],
  withText = true,
): string {
  const observer = new ContentHashObserver();
  observer.onHead(metadata);
  for (const packet of packets) {
    if (withText) observer.onPacket(packet.file.id, packet, JSON.stringify(packet));
    else observer.onPacket(packet.file.id, packet);
  }
  return observer.digest();
}

describe('withSignedFieldsBlanked', () => {
  it.each([
    ['an image', imagePacket()],
    ['a video', videoPacket()],
    ['a text', textPacket()],
  ])(
    'blanks exactly the media URLs and expiries of %s, never the same keys inside a value',
    (_, packet) => {
      const blanked = withSignedFieldsBlanked(packet, JSON.stringify(packet));
      expect(blanked).toBe(JSON.stringify(blankedByHand(packet)));
      // The tempting values are untouched: the filename (and the text's token) still parse back whole.
      expect(JSON.parse(blanked)).toMatchObject({ file: { original_filename: tempting } });
    },
  );

  it('refuses text that is not the packet’s JSON, naming the file', () => {
    const packet = imagePacket();
    const other = JSON.stringify(imagePacket({ expiry: 5 }));
    expect(() => withSignedFieldsBlanked(packet, other)).toThrow(
      /File 1's packet text has no "image_signed_expiry":1900000000/,
    );
  });
});

describe('ContentHashObserver', () => {
  it('is the SHA-256 of the file text with the nine fields set to null', () => {
    const packet = imagePacket();
    const { export_info: info, ...rest } = head();
    const blankedHead = {
      ...rest,
      export_info: { ...info, id: null, created_time: null, user_created_email: null },
    };
    // Key order as in the file: the five metadata keys in the writer's order, export_info in place.
    const ordered = {
      readme: blankedHead.readme,
      label_map: blankedHead.label_map,
      label_colour_map: blankedHead.label_colour_map,
      export_info: blankedHead.export_info,
      attribute_groups_reference: blankedHead.attribute_groups_reference,
    };
    const text = `${JSON.stringify(ordered).slice(0, -1)},"1":${JSON.stringify(blankedByHand(packet))}}`;
    expect(contentHashOf(head(), [packet])).toBe(createHash('sha256').update(text).digest('hex'));
  });

  it('is the same whatever the export’s id, time, creator, media URLs and expiries', () => {
    const first = contentHashOf(head(), [imagePacket()]);
    expect(first).toMatch(/^[0-9a-f]{64}$/);
    expect(
      contentHashOf(
        head({ id: 99, created_time: '2030-01-01T00:00:00.000Z', user_created_email: 'x@y.z' }),
        [imagePacket({ signedUrl: 'https://elsewhere.test/other?sig=2', expiry: 2_000_000_000 })],
      ),
    ).toBe(first);
    // Without the text, the observer serialises the packet itself, to the same hash.
    expect(contentHashOf(head(), [imagePacket()], false)).toBe(first);
  });

  it('differs when a setting, a check value or an instance differs', () => {
    const first = contentHashOf(head(), [imagePacket()]);
    expect(contentHashOf(head({ ann_is_complete: false }), [imagePacket()])).not.toBe(first);
    expect(contentHashOf(head({ include_removed: true }), [imagePacket()])).not.toBe(first);
    expect(contentHashOf(head({ instance_count: 2 }), [imagePacket()])).not.toBe(first);
    expect(contentHashOf(head(), [imagePacket({ xMax: 31 })])).not.toBe(first);
    expect(contentHashOf(head(), [])).not.toBe(first);
  });

  it('refuses to be fed out of order', () => {
    const packet = imagePacket();
    expect(() => new ContentHashObserver().onPacket(1, packet)).toThrow(/packet before the head/);
    expect(() => new ContentHashObserver().digest()).toThrow(/no head/);
    const twice = new ContentHashObserver();
    twice.onHead(head());
    expect(() => twice.onHead(head())).toThrow(/head of an export twice/);
    twice.digest();
    expect(() => twice.digest()).toThrow(/digested twice/);
  });
});
