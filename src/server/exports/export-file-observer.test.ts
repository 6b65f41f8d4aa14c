import { describe, expect, it } from 'vitest';
import type { ExportFileMetadata } from '../../contract/export-file.ts';
import { testDialects } from '../db/test-database.ts';
import type { ExportFileObserver } from './export-file-observer.ts';
import { packetsOf, useDemoExports } from './export-file-test-builders.ts';

// The writer's observer seam: every observer sees the head once, first, then each packet in file id
// order with the very text written; and the content hash it always takes ignores the signer.

/** An observer that remembers what it was shown, in order. */
class RecordingObserver implements ExportFileObserver {
  readonly seen: (
    { head: ExportFileMetadata } | { fileId: number; packet: unknown; text: string | undefined }
  )[] = [];
  onHead(head: ExportFileMetadata): void {
    this.seen.push({ head });
  }
  onPacket(fileId: number, packet: unknown, text?: string): void {
    this.seen.push({ fileId, packet, text });
  }
}

describe.each(testDialects)('the export writer’s observers on %s', (dialect) => {
  const exports = useDemoExports(dialect);

  it('shows every observer the head, then each packet in file id order with its written text', async () => {
    const observers = [new RecordingObserver(), new RecordingObserver()];
    const written = await exports.writeDemo(
      { directory: 'Luckfrill' },
      { annIsComplete: false },
      { observers, pageSize: 3 },
    );
    const [first, second] = observers;
    expect(second?.seen).toEqual(first?.seen);
    const [head, ...packets] = first?.seen ?? [];
    const { readme, label_map, label_colour_map, export_info, attribute_groups_reference } =
      written.file;
    expect(head).toEqual({
      head: { readme, label_map, label_colour_map, export_info, attribute_groups_reference },
    });
    const expected = packetsOf(written.file);
    expect(packets.map((seen) => ('fileId' in seen ? seen.fileId : null))).toEqual(
      expected.map(([fileId]) => fileId),
    );
    for (const seen of packets) {
      if (!('fileId' in seen)) throw new Error('a head after the first packet');
      expect(written.text).toContain(`,"${seen.fileId}":${seen.text ?? ''}`);
      expect(JSON.parse(seen.text ?? '')).toEqual(seen.packet);
    }
  });

  it('gives the same content hash whatever the signer, and another for other data', async () => {
    const signed = await exports.writeDemo({ directory: 'Luckfrill' });
    const unsigned = await exports.writeDemo(
      { directory: 'Luckfrill' },
      {},
      { signMediaUrl: (url) => ({ url, expiry: 1 }) },
    );
    expect(unsigned.text).not.toBe(signed.text);
    expect(unsigned.result.contentSha256).toBe(signed.result.contentSha256);
    const other = await exports.writeDemo({ directory: 'Night drives' });
    expect(other.result.contentSha256).not.toBe(signed.result.contentSha256);
  });
});
