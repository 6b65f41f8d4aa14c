import { isStorableText, maxId } from '../../contract/request-fields.ts';
import type { FilePacket } from '../../contract/export-file.ts';
import type { ImportProblem } from '../../contract/imports.ts';

// What the contract lets through but a database column cannot hold: an integer outside the 32-bit
// columns annex stores it in, and text PostgreSQL refuses (NUL). Caught while validating, as ordinary
// problems, so `on_error=fail` writes nothing and `skip` skips the packet, rather than an INSERT
// failing half-way through an import whose earlier pages have committed.

const minInteger = -maxId - 1;

/** The problem of an integer a 32-bit column cannot hold, or undefined. */
export function integerProblem(value: number | null | undefined): string | undefined {
  if (value === null || value === undefined) return undefined;
  if (value > maxId) return `must be at most ${maxId}`;
  if (value < minInteger) return `must be at least ${minInteger}`;
  return undefined;
}

/** The problem of a name or URL: no NUL or other control character, no broken text. */
export function nameTextProblem(value: string | null | undefined): string | undefined {
  if (value === null || value === undefined || isStorableText(value)) return undefined;
  return 'must not contain NUL or control characters';
}

// eslint-disable-next-line no-control-regex
const nulOrBrokenText = /\u0000|\p{Cs}/u;

/** The problem of free text (a prompt, a default answer), which may hold line breaks but not NUL. */
export function freeTextProblem(value: string | null | undefined): string | undefined {
  if (value === null || value === undefined || !nulOrBrokenText.test(value)) return undefined;
  return 'must not contain NUL or broken text';
}

/** The problems of a parsed packet's fields that annex's columns cannot store. */
export function packetStorageProblems(key: string, packet: FilePacket): ImportProblem[] {
  const problems: ImportProblem[] = [];
  const add = (path: string, message: string | undefined) => {
    if (message !== undefined) problems.push({ packet: key, path, message });
  };
  add('file › original_filename', nameTextProblem(packet.file.original_filename));
  if ('image' in packet) {
    const { image } = packet;
    add('image › width', integerProblem(image.width));
    add('image › height', integerProblem(image.height));
    add('image › rotation_degrees', integerProblem(image.rotation_degrees));
    add('image › original_filename', nameTextProblem(image.original_filename));
    add('image › image_signed_url', nameTextProblem(image.image_signed_url));
  } else if ('video' in packet) {
    const { video } = packet;
    add('video › width', integerProblem(video.width));
    add('video › height', integerProblem(video.height));
    add('video › frame_count', integerProblem(video.frame_count));
    add('video › global_frame_start', integerProblem(video.global_frame_start));
    add('video › mp4_video_signed_url', nameTextProblem(video.mp4_video_signed_url));
  } else {
    add('text › original_filename', nameTextProblem(packet.text.original_filename));
    add('text › signed_url', nameTextProblem(packet.text.signed_url));
  }
  const frameFields = (instance: object, path: string) => {
    const { frame_number, local_sequence_number } = instance as {
      frame_number?: number | null;
      local_sequence_number?: number | null;
    };
    add(`${path} › frame_number`, integerProblem(frame_number));
    add(`${path} › local_sequence_number`, integerProblem(local_sequence_number));
  };
  if ('sequence_list' in packet) {
    packet.parent_instance_list.forEach((instance, index) =>
      frameFields(instance, `parent_instance_list[${index}]`),
    );
    packet.sequence_list.forEach((sequence, index) => {
      const path = `sequence_list[${index}]`;
      add(`${path} › number`, integerProblem(sequence.number));
      sequence.instance_list.forEach((instance, instanceIndex) =>
        frameFields(instance, `${path} › instance_list[${instanceIndex}]`),
      );
    });
  }
  return problems;
}
