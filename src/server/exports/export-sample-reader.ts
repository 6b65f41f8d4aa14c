import type { Readable } from 'node:stream';
import {
  isFileIdKey,
  labelColourMapSchema,
  labelMapSchema,
  parseFilePacket,
} from '../../contract/export-file.ts';
import type { FilePacket, LabelColourMap, LabelMap } from '../../contract/export-file.ts';
import { readExportFileEntries, UnreadableExportFileError } from './export-file-entries.ts';

// Reads the spot-check's packets out of a stored export file while streaming it, so memory holds one
// chunk's entries plus the packets kept, never the file. A random sample is a reservoir (Algorithm R)
// drawn with a seeded generator: every packet has the same chance to be kept whatever the file's
// length, which is unknown until its end, and the same seed on the same file keeps the same files.

/** What the reader found: the file's labels and the packets kept, in file id order. */
export interface SampledPackets {
  labelMap: LabelMap;
  labelColourMap: LabelColourMap;
  /** The packets kept, in file id order. */
  packets: FilePacket[];
  /** Packets the file holds; null when the read stopped early (named files all found). */
  fileCount: number | null;
}

/** What to read: a seeded random sample of `count` packets, or the packets of named file ids. */
export type SampleRequest =
  { kind: 'random'; count: number; seed: number } | { kind: 'file_ids'; fileIds: number[] };

/**
 * Mulberry32: a small, fast 32-bit generator, plenty for picking files (not for secrets). Returns
 * numbers in [0, 1), the same sequence for the same seed on every platform.
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/**
 * Keeps a uniform sample of `count` items of a stream of unknown length (Algorithm R): the first
 * `count` fill the reservoir, then item i (from 0) replaces a random slot with chance count/(i+1).
 */
export class Reservoir<T> {
  readonly items: T[] = [];
  private seen = 0;
  constructor(
    private readonly count: number,
    private readonly random: () => number,
  ) {}

  /** Offers the next item; `take` builds it only when it is kept, so skipped items cost nothing more. */
  offer(take: () => T): void {
    const index = this.seen;
    this.seen += 1;
    if (index < this.count) {
      this.items.push(take());
      return;
    }
    const slot = Math.floor(this.random() * (index + 1));
    if (slot < this.count) this.items[slot] = take();
  }

  /** Items offered so far. */
  get offered(): number {
    return this.seen;
  }
}

function parsedPacket(exportId: number, key: string, value: unknown): FilePacket {
  const parsed = parseFilePacket(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UnreadableExportFileError(
      exportId,
      `packet ${key} is not a valid file packet (${issue === undefined ? 'unknown' : `${issue.path.join('.') || 'packet'}: ${issue.message}`})`,
    );
  }
  return parsed.data;
}

/**
 * Reads `request`'s packets and the labels from export `exportId`'s file, which `open` streams.
 * Throws `UnreadableExportFileError` when the file is not an export file annex wrote.
 */
export async function samplePackets(
  open: () => Readable,
  exportId: number,
  request: SampleRequest,
): Promise<SampledPackets> {
  let labelMap: LabelMap | undefined;
  let labelColourMap: LabelColourMap | undefined;
  const reservoir =
    request.kind === 'random'
      ? new Reservoir<FilePacket>(request.count, seededRandom(request.seed))
      : undefined;
  const wanted = new Set(request.kind === 'file_ids' ? request.fileIds : []);
  const found = new Map<number, FilePacket>();
  let packetCount = 0;
  let stoppedEarly = false;
  const headRead = () => labelMap !== undefined && labelColourMap !== undefined;

  reading: for await (const entries of readExportFileEntries(open, exportId)) {
    for (const { key, value } of entries) {
      if (key === 'label_map') labelMap = parseLabels(exportId, labelMapSchema, key, value);
      else if (key === 'label_colour_map')
        labelColourMap = parseLabels(exportId, labelColourMapSchema, key, value);
      if (!isFileIdKey(key)) continue;
      packetCount += 1;
      if (reservoir !== undefined) reservoir.offer(() => parsedPacket(exportId, key, value));
      else if (wanted.has(Number(key))) found.set(Number(key), parsedPacket(exportId, key, value));
    }
    // Named files: once all are found and the labels read, the rest of the file is not needed.
    if (reservoir === undefined && found.size === wanted.size && headRead()) {
      stoppedEarly = true;
      break reading;
    }
  }
  if (labelMap === undefined || labelColourMap === undefined) {
    throw new UnreadableExportFileError(exportId, 'it has no label_map or no label_colour_map');
  }
  const packets = reservoir === undefined ? [...found.values()] : reservoir.items;
  return {
    labelMap,
    labelColourMap,
    packets: packets.sort((a, b) => a.file.id - b.file.id),
    fileCount: stoppedEarly ? null : packetCount,
  };
}

function parseLabels<T>(
  exportId: number,
  schema: { safeParse(value: unknown): { success: true; data: T } | { success: false } },
  key: string,
  value: unknown,
): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new UnreadableExportFileError(exportId, `its ${key} is not valid`);
  return parsed.data;
}
