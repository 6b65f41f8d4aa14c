import { z } from 'zod';
import { isSignedBlock, signedPacketFields } from './export-signed-fields.ts';

// One packet as the diff compares it: what is left of it once what two exports of the same data
// may differ in is taken out, and its instances by id. Taken out: the signed media URLs and their
// expiry (`file.blob_url`, the media block's `*_signed_url` / `*_signed_expiry`: export-signed-fields.ts,
// the list the content hash blanks too), which are signed anew for every export; and the order of instances, since instances are matched by id. Everything
// else counts: the file block (completion, name, type), the media block (size, frames, tokens),
// each sequence's own fields (keyframes, number) and every field of every instance.

/** An instance as the diff reads it; every other field is kept and compared. */
const instanceViewSchema = z.looseObject({
  id: z.number().int(),
  label_file_id: z.number().int().nullable().optional(),
});

const sequenceViewSchema = z.looseObject({
  id: z.number().int(),
  instance_list: z.array(instanceViewSchema),
});

/** The fields of a packet the diff needs to read; the rest is compared as it stands. */
const packetViewSchema = z.looseObject({
  file: z.looseObject({ id: z.number().int(), ann_is_complete: z.boolean() }),
  instance_list: z.array(instanceViewSchema).optional(),
  parent_instance_list: z.array(instanceViewSchema).optional(),
  sequence_list: z.array(sequenceViewSchema).optional(),
});

/** One instance: its label and its canonical text (equal texts: the same instance). */
export interface InstanceView {
  labelFileId: number | null;
  canonical: string;
}

/** A packet reduced to what the diff compares. */
export interface PacketView {
  fileId: number;
  /** `file.ann_is_complete`. */
  complete: boolean;
  /** Canonical text of everything but the instances and the signed URLs. */
  shell: string;
  /** Instances by id, sequence instances included. */
  instances: Map<number, InstanceView>;
}

/** The packet is not one the diff can read (no file block, instances without ids, a repeated id). */
export class UnreadablePacketError extends Error {
  override name = 'UnreadablePacketError';
}

/** The packet of `key` as the diff compares it; throws `UnreadablePacketError` when it cannot be read. */
export function viewOfPacket(key: string, value: unknown): PacketView {
  const parsed = packetViewSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where =
      issue === undefined ? '' : ` (${issue.path.join('.') || 'packet'}: ${issue.message})`;
    throw new UnreadablePacketError(`the packet of file ${key} is not a file packet${where}`);
  }
  const packet = parsed.data;
  if (String(packet.file.id) !== key) {
    throw new UnreadablePacketError(`the packet under key ${key} is of file ${packet.file.id}`);
  }
  const instances = new Map<number, InstanceView>();
  const keep = (instance: z.infer<typeof instanceViewSchema>) => {
    if (instances.has(instance.id)) {
      throw new UnreadablePacketError(`file ${key} holds instance ${instance.id} twice`);
    }
    instances.set(instance.id, {
      labelFileId: instance.label_file_id ?? null,
      canonical: canonicalJson(instance),
    });
  };
  const shell: Record<string, unknown> = {};
  for (const [field, content] of Object.entries(packet)) {
    if (field === 'instance_list' || field === 'parent_instance_list') continue;
    if (field === 'sequence_list') continue;
    shell[field] =
      isSignedBlock(field) && isPlainObject(content)
        ? withoutSignedFields(content, signedPacketFields[field])
        : content;
  }
  packet.instance_list?.forEach(keep);
  packet.parent_instance_list?.forEach(keep);
  if (packet.sequence_list !== undefined) {
    // By id, so sequences written in another order are the same sequences.
    shell.sequence_list = [...packet.sequence_list]
      .sort((a, b) => a.id - b.id)
      .map((sequence) => {
        sequence.instance_list.forEach(keep);
        const { instance_list: _instances, ...own } = sequence;
        return own;
      });
  }
  return {
    fileId: packet.file.id,
    complete: packet.file.ann_is_complete,
    shell: canonicalJson(shell),
    instances,
  };
}

function withoutSignedFields(
  block: Record<string, unknown>,
  signed: readonly string[],
): Record<string, unknown> {
  return Object.fromEntries(Object.entries(block).filter(([key]) => !signed.includes(key)));
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** JSON with object keys sorted at every depth, so two equal values give the same text whatever their key order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (isPlainObject(value)) {
    const keys = Object.keys(value).sort();
    return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
