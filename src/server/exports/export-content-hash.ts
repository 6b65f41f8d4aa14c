import { createHash } from 'node:crypto';
import type { Hash } from 'node:crypto';
import type { ExportFileMetadata, FilePacket } from '../../contract/export-file.ts';
import type { ExportFileObserver } from './export-file-observer.ts';
import { signedPacketFields } from './export-signed-fields.ts';

/*
 * The content hash of an export (`export.content_sha256`): the SHA-256 of the file exactly as
 * written, except that the fields which differ between two exports of the same data are set to
 * null. Two exports with the same content hash hold the same data with the same settings, so "did
 * anything change?" is one comparison. The fields set to null:
 *
 * - `export_info.id`, `export_info.created_time`, `export_info.user_created_email`: the export's own
 *   record (which export, when, asked by whom), not its data.
 * - In every packet, the media URLs and their expiry (export-signed-fields.ts, the list the diff
 *   leaves out too): `file.blob_url` and the media block's
 *   `image_signed_url` / `signed_url` / `mp4_video_signed_url` with `image_signed_expiry` /
 *   `signed_expiry` / `mp4_video_signed_expiry`. An expiry is counted from the moment the file is
 *   written (a link must stop working some time after it was handed out), and a signer may put a
 *   fresh signature in the URL each time, so neither can repeat between two writes. They say how to
 *   fetch the media today, not what the annotations are.
 *
 * Everything else is in the hash: the readme, the label maps, the rest of `export_info` (source,
 * settings, project, check values), the attribute groups, and every packet's file block, media
 * block and instances, in the file's own order (files by id, instances by id, labels and groups by
 * id: see export-file-packets.ts and export-file-metadata.ts).
 *
 * It is computed while the file is written, on the packet text the writer already made: the signed
 * fields are found by their key and spliced out, rather than serialising every packet a second time.
 */

/** The blanked value of every field the content hash leaves out. */
const blank = 'null';

/** Reads the head and packets as the writer builds them and hashes their content; see the module comment. */
export class ContentHashObserver implements ExportFileObserver {
  private readonly hash: Hash = createHash('sha256');
  private headSeen = false;
  private digested = false;

  /** Hashes the metadata keys with the export's own record blanked. */
  onHead(head: ExportFileMetadata): void {
    if (this.headSeen) throw new Error('The content hash was given the head of an export twice.');
    this.headSeen = true;
    // Spread then overwritten: each key keeps its place, so the text is the file's with null there.
    const exportInfo = {
      ...head.export_info,
      id: null,
      created_time: null,
      user_created_email: null,
    };
    // Without its closing brace, as in the file: packets follow as `,"<id>":{…}`.
    this.hash.update(JSON.stringify({ ...head, export_info: exportInfo }).slice(0, -1));
  }

  /** Hashes one packet with its media URLs and expiries blanked; `text` is its JSON as written. */
  onPacket(fileId: number, packet: FilePacket, text: string = JSON.stringify(packet)): void {
    if (!this.headSeen) throw new Error('The content hash was given a packet before the head.');
    this.hash.update(`,"${fileId}":`);
    this.hash.update(withSignedFieldsBlanked(packet, text));
  }

  /** The content hash, lowercase hex; call once, after the last packet. */
  digest(): string {
    if (!this.headSeen) throw new Error('The content hash has no head to digest.');
    if (this.digested) throw new Error('The content hash was digested twice.');
    this.digested = true;
    return this.hash.update('}').digest('hex');
  }
}

/** The signed fields of a packet (signedPacketFields), in the order they appear in its text, with their values. */
function signedFieldsOf(packet: FilePacket): [key: string, value: string | number][] {
  const of = (block: Readonly<Record<string, unknown>>, keys: readonly string[]) =>
    keys.map((key): [string, string | number] => [key, block[key] as string | number]);
  const fileFields = of(packet.file, signedPacketFields.file);
  if ('image' in packet) return [...fileFields, ...of(packet.image, signedPacketFields.image)];
  if ('video' in packet) return [...fileFields, ...of(packet.video, signedPacketFields.video)];
  return [...fileFields, ...of(packet.text, signedPacketFields.text)];
}

/**
 * `text` (the packet's JSON as the writer makes it) with each signed field's value replaced by null.
 *
 * Each field is the first `"<key>":<value>` at or after the previous one. That is the field itself
 * and never something inside a value: in JSON a quote followed by a colon ends a key (a quote inside
 * a string is escaped), and in the writer's packets every key before these fields is one of the
 * format's own (the file block, then the media block, with text tokens' four fixed keys; the
 * instance lists, whose attribute answers are the only keys users choose, come after).
 */
export function withSignedFieldsBlanked(packet: FilePacket, text: string): string {
  let out = '';
  let from = 0;
  for (const [key, value] of signedFieldsOf(packet)) {
    const written = `"${key}":${JSON.stringify(value)}`;
    const at = text.indexOf(written, from);
    if (at === -1) {
      throw new Error(
        `File ${packet.file.id}'s packet text has no ${written} after position ${from}; the text is not this packet's JSON as annex writes it (a bug in annex).`,
      );
    }
    out += `${text.slice(from, at)}"${key}":${blank}`;
    from = at + written.length;
  }
  return out + text.slice(from);
}
