import fs from 'node:fs';
import { once } from 'node:events';
import { isMetadataKey } from '../src/contract/export-file.ts';
import { readUploadEntries } from '../src/server/imports/import-reader.ts';
import { writeImportFile } from './import-file-generator.ts';

// Two export files of one project "a week apart", for the diff benchmark: the first is the
// generator's file; the second is that file read packet by packet and written again (both in flat
// memory) with every URL signed anew, every 1,000th file gone, every 100th file with one instance
// moved, one removed and one added, every 250th file's completion flipped, and new files at the end.

/** What the second file differs in, as the diff must find it. */
export interface DiffPairEdits {
  filesRemoved: number;
  filesAdded: number;
  filesEdited: number;
  completionFlipped: number;
}

type Loose = Record<string, unknown>;

function edit(fileId: number, packet: Loose, edits: DiffPairEdits): Loose {
  const resigned = JSON.parse(
    JSON.stringify(packet)
      .replaceAll('signature=', 'signature=resigned-')
      .replaceAll(
        /"(\w*signed_expiry)":(\d+)/g,
        (_, key: string, expiry: string) => `"${key}":${Number(expiry) + 604_800}`,
      ),
  ) as Loose;
  const file = resigned.file as Loose;
  file.blob_url = `${String(file.blob_url)}&resigned=1`;
  if (fileId % 250 === 0) {
    file.ann_is_complete = file.ann_is_complete !== true;
    edits.completionFlipped += 1;
  }
  const list = resigned.instance_list;
  if (fileId % 100 === 1 && Array.isArray(list) && list.length >= 2) {
    const [first, second, ...rest] = list as Loose[];
    if (first !== undefined && second !== undefined) {
      resigned.instance_list = [
        { ...first, x_max: Number(first.x_max ?? 0) + 1 },
        ...rest,
        { ...second, id: Number(second.id) + 10_000_000 },
      ];
      // The second is removed (its id gone) and an instance added (a new id): one moved, one of each.
      edits.filesEdited += 1;
    }
  }
  return resigned;
}

/** Writes the pair (`fromPath`, `toPath`) for `files` files; returns what the second differs in. */
export async function writeDiffPair(
  fromPath: string,
  toPath: string,
  files: number,
): Promise<DiffPairEdits> {
  await writeImportFile(fromPath, { files });
  const edits: DiffPairEdits = {
    filesRemoved: 0,
    filesAdded: 0,
    filesEdited: 0,
    completionFlipped: 0,
  };
  const out = fs.createWriteStream(toPath);
  const write = async (text: string) => {
    if (!out.write(text)) await once(out, 'drain');
  };
  let separator = '{';
  let lastId = 0;
  for await (const entries of readUploadEntries(() => fs.createReadStream(fromPath))) {
    for (const { key, value } of entries) {
      if (isMetadataKey(key)) {
        await write(`${separator}${JSON.stringify(key)}:${JSON.stringify(value)}`);
      } else {
        const fileId = Number(key);
        lastId = fileId;
        if (fileId % 1000 === 500) {
          edits.filesRemoved += 1;
          continue;
        }
        await write(`${separator}"${key}":${JSON.stringify(edit(fileId, value as Loose, edits))}`);
      }
      separator = ',';
    }
  }
  // New files after the last: the generator's packets with ids past the end.
  const extraPath = `${toPath}.extra`;
  const added = Math.max(1, Math.floor(files / 1000));
  await writeImportFile(extraPath, { files: added, firstFileId: lastId + 1 });
  for await (const entries of readUploadEntries(() => fs.createReadStream(extraPath))) {
    for (const { key, value } of entries) {
      if (isMetadataKey(key)) continue;
      await write(`,"${key}":${JSON.stringify(value)}`);
      edits.filesAdded += 1;
    }
  }
  fs.rmSync(extraPath);
  await write('}');
  out.end();
  await once(out, 'finish');
  return edits;
}
