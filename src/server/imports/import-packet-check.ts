import { fileTypes } from '../../contract/annotations.ts';
import { parseFilePacket } from '../../contract/export-file.ts';
import type { AnyInstance, FilePacket } from '../../contract/export-file.ts';
import type { ImportProblem } from '../../contract/imports.ts';
import type { InstanceIdMaps } from '../annotations/instance-rows.ts';
import { problemsOfIssues } from './import-problems.ts';
import { packetStorageProblems } from './import-storable.ts';

// One packet judged for the validation pass: first by the contract (`parseFilePacket`), then for
// what the contract cannot see on its own: the packet's key is its file's id, every label is in the
// file's label_map, every attribute answer is one its group offers, a sequence's instances carry its
// label, ids the re-import matches on are not given twice, and every value fits its column
// (import-storable.ts).

/** A packet judged: the packet when it is good, else its problems. */
export type PacketCheck =
  { ok: true; packet: FilePacket } | { ok: false; problems: ImportProblem[] };

/** Judges the packet under `key` against the file's metadata (through `maps`). */
export function checkPacket(key: string, value: unknown, maps: InstanceIdMaps): PacketCheck {
  const problem = (path: string, message: string): PacketCheck => ({
    ok: false,
    problems: [{ packet: key, path, message }],
  });
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return problem('', 'expected an object with the file and its instances');
  }
  const file = (value as { file?: unknown }).file;
  if (typeof file !== 'object' || file === null || Array.isArray(file)) {
    return problem('file', file === undefined ? 'missing' : 'expected an object');
  }
  const type = (file as { type?: unknown }).type;
  if (!(fileTypes as readonly unknown[]).includes(type)) {
    return problem(
      'file › type',
      type === undefined ? 'missing' : `expected one of ${fileTypes.join(', ')}`,
    );
  }
  const parsed = parseFilePacket(value);
  if (!parsed.success) return { ok: false, problems: problemsOfIssues(key, parsed.error.issues) };
  const packet = parsed.data;
  const problems: ImportProblem[] = packetStorageProblems(key, packet);
  if (String(packet.file.id) !== key) {
    problems.push({
      packet: key,
      path: 'file › id',
      message: `is ${packet.file.id}, but the packet's key is ${key}; they must be the same file id`,
    });
  }
  const instanceIds = new Set<number>();
  const checkInstance = (instance: AnyInstance, path: string) => {
    const at = (field: string) => `${path} › ${field}`;
    if (instanceIds.has(instance.id)) {
      problems.push({
        packet: key,
        path: at('id'),
        message: `instance ${instance.id} appears twice in the packet; each instance needs its own id`,
      });
    }
    instanceIds.add(instance.id);
    if (instance.label_file_id !== null && maps.label(instance.label_file_id) === undefined) {
      problems.push({
        packet: key,
        path: at('label_file_id'),
        message: `label ${instance.label_file_id} is not in the file's label_map`,
      });
    }
    for (const [groupKey, answer] of Object.entries(instance.attribute_groups ?? {})) {
      const mapped = maps.attribute(groupKey, answer);
      if (typeof mapped === 'string') {
        problems.push({ packet: key, path: at(`attribute_groups › ${groupKey}`), message: mapped });
      }
    }
  };
  if ('sequence_list' in packet) {
    packet.parent_instance_list.forEach((instance, index) =>
      checkInstance(instance, `parent_instance_list[${index}]`),
    );
    const sequenceKeys = new Set<string>();
    packet.sequence_list.forEach((sequence, index) => {
      const path = `sequence_list[${index}]`;
      const sequenceKey = `${sequence.label_file_id}/${sequence.number}`;
      if (sequenceKeys.has(sequenceKey)) {
        problems.push({
          packet: key,
          path: `${path} › number`,
          message: `a sequence of label ${sequence.label_file_id} numbered ${sequence.number} appears twice; number a label's sequences apart`,
        });
      }
      sequenceKeys.add(sequenceKey);
      if (maps.label(sequence.label_file_id) === undefined) {
        problems.push({
          packet: key,
          path: `${path} › label_file_id`,
          message: `label ${sequence.label_file_id} is not in the file's label_map`,
        });
      }
      sequence.instance_list.forEach((instance, instanceIndex) => {
        const instancePath = `${path} › instance_list[${instanceIndex}]`;
        if (instance.label_file_id !== sequence.label_file_id) {
          problems.push({
            packet: key,
            path: `${instancePath} › label_file_id`,
            message: `is ${String(instance.label_file_id)}, but its sequence tracks label ${sequence.label_file_id}`,
          });
        }
        checkInstance(instance, instancePath);
      });
    });
  } else {
    packet.instance_list.forEach((instance, index) =>
      checkInstance(instance, `instance_list[${index}]`),
    );
  }
  return problems.length === 0 ? { ok: true, packet } : { ok: false, problems };
}
