import { describe, expect, it } from 'vitest';
import { ImportFileCheck, InvalidImportFileError } from './import-file-check.ts';

// The upload check refuses what cannot be Diffgram JSON while the body streams, each refusal saying
// what is wrong and what to do, and accepts a file fed in any chunking.

const head =
  '{"readme":{"format":"Diffgram JSON"},"label_map":{"1":"car","2":"person"},' +
  '"label_colour_map":{"1":{"hex":"#ff0000","rgba":{"r":255,"g":0,"b":0,"a":1}}},' +
  '"export_info":{"export_format_version":"1.0","id":7},"attribute_groups_reference":[]';
const packet = (id: number) =>
  `"${id}":{"file":{"id":${id},"type":"image","original_filename":"café-${id}.jpg"},"image":{"width":1},"instance_list":[{"id":1,"points":[{"x":1,"y":2}]}]}`;
const validFile = `${head},${packet(5)},${packet(12)}}`;

/** Feeds `text` in chunks of `size` bytes (splitting multi-byte characters too), then ends. */
function check(text: string, size = 7) {
  const bytes = Buffer.from(text);
  const checker = new ImportFileCheck();
  for (let start = 0; start < bytes.length; start += size)
    checker.write(bytes.subarray(start, start + size));
  return checker.end();
}

function refusal(text: string): string {
  try {
    check(text);
  } catch (error) {
    if (error instanceof InvalidImportFileError) return error.message;
    throw error;
  }
  throw new Error('The check accepted the file');
}

describe('the upload check', () => {
  it('accepts a Diffgram JSON file in any chunking, counting its packets', () => {
    for (const size of [1, 3, 7, 64, 100_000]) {
      expect(check(validFile, size)).toEqual({
        packetCount: 2,
        sizeBytes: Buffer.byteLength(validFile),
      });
    }
    // Whitespace and key order are not part of the format.
    const spaced = `{\n  ${packet(3)},\n  "label_map": {}\n}\n`;
    expect(check(spaced).packetCount).toBe(1);
  });

  it('accepts a file without export_info or its version (older Diffgram files)', () => {
    expect(check('{"label_map":{},"9":{}}').packetCount).toBe(1);
    expect(check('{"label_map":{},"export_info":{"id":1}}').packetCount).toBe(0);
  });

  it('refuses what is not JSON, saying at which byte and what it found', () => {
    const broken = `${head},"5":{"file": nope}}`;
    const at = broken.indexOf('nope') + 1;
    expect(refusal(broken)).toBe(
      `The file is not valid JSON: unexpected "o" at byte ${at}. Upload the .json file annex (or Diffgram) exported, unchanged.`,
    );
    expect(refusal(`${head},"5" {}}`)).toMatch(
      /^The file is not valid JSON: "\{" at byte \d+ where ":" was expected\./,
    );
    expect(refusal(`${head},"5":{},}`)).toMatch(
      /"}" at byte \d+ where a key in quotes was expected/,
    );
    expect(refusal(`${validFile} {}`)).toMatch(/after the end of the top-level object/);
  });

  it('refuses a file that ends early or is empty', () => {
    expect(refusal(`${head},"5":{"file":{}`)).toMatch(
      /^The file ends before its JSON does \(after \d+ bytes\): the upload was cut short/,
    );
    expect(refusal(`${head},"5":{"file":"unterminated`)).toMatch(
      /^The file ends in the middle of a JSON value/,
    );
    expect(refusal('')).toMatch(/^The file is empty\./);
  });

  it('refuses anything but an object at the top', () => {
    expect(refusal('[{"label_map":{}}]')).toMatch(
      /^Not a Diffgram JSON file: the file holds a list at the top, where a Diffgram JSON file holds one object/,
    );
    expect(refusal('42')).toMatch(/holds a number at the top/);
  });

  it('refuses a top-level key that is neither metadata nor an integer file id, as soon as it is read', () => {
    const checker = new ImportFileCheck();
    expect(() => checker.write(`${head},"annotations":{`)).toThrow(
      /^Not a Diffgram JSON file: the top-level key "annotations" \(at byte \d+\) is neither a metadata key \(readme, label_map, label_colour_map, export_info, attribute_groups_reference\) nor an integer file id\./,
    );
    expect(refusal(`${head},"007":{}}`)).toMatch(/top-level key "007"/);
    expect(refusal(`${head},"-3":{}}`)).toMatch(/top-level key "-3"/);
  });

  it('refuses export_format_version other than 1.0', () => {
    expect(refusal('{"export_info":{"export_format_version":"2.0"},"label_map":{}}')).toBe(
      'Not a Diffgram JSON file: file › export_info › export_format_version: this is format version "2.0"; annex imports version 1.0 only. Upload the .json file annex (or Diffgram) exported, unchanged.',
    );
    expect(refusal('{"export_info":{"export_format_version":1},"label_map":{}}')).toMatch(
      /this is format version 1;/,
    );
  });

  it('refuses a file without label_map', () => {
    expect(refusal(`{"readme":{},${packet(5)}}`)).toBe(
      'Not a Diffgram JSON file: the file has no label_map, so its instances cannot be given labels; import the whole Diffgram JSON file as it was exported.',
    );
  });

  it('refuses a packet that is not an object, naming it', () => {
    expect(refusal(`${head},"5":[1,2]}`)).toMatch(
      /^Not a Diffgram JSON file: packet 5 \(at byte \d+\) is a list, not an object with the file and its instances\./,
    );
    expect(refusal(`${head},"6":null}`)).toMatch(/packet 6 \(at byte \d+\) is null/);
  });

  it('refuses metadata of the wrong shape or given twice', () => {
    expect(refusal('{"label_map":["car"]}')).toMatch(
      /^Not a Diffgram JSON file: file › label_map: expected an object\./,
    );
    expect(refusal('{"label_map":{"1":"car"},"label_colour_map":{"1":{"hex":"red"}}}')).toMatch(
      /file › label_colour_map › 1 › hex: must be #rrggbb/,
    );
    expect(refusal('{"label_map":{},"label_map":{}}')).toMatch(/"label_map" appears twice/);
    // Names a database column cannot store (NUL is refused by PostgreSQL).
    expect(refusal('{"label_map":{"1":"c\\u0000ar"}}')).toMatch(
      /^Not a Diffgram JSON file: file › label_map › 1: must not contain NUL or control characters\./,
    );
    const group =
      '{"id":1,"kind":"text","name":"g","prompt":"a\\u0000","is_global":true,"min_value":null,"max_value":null,"default_value":null,"attribute_template_list":[],"label_file_list":[]}';
    expect(refusal(`{"label_map":{},"attribute_groups_reference":[${group}]}`)).toMatch(
      /file › attribute_groups_reference\[0\] › prompt: must not contain NUL or broken text/,
    );
  });

  /** Feeds `text` in 64 KiB chunks to a check with the given packet limit; the refusal's message. */
  const refusalWithin = (text: string, maxPacketBytes: number) => {
    const checker = new ImportFileCheck({ maxPacketBytes });
    const bytes = Buffer.from(text);
    try {
      for (let start = 0; start < bytes.length; start += 65_536)
        checker.write(bytes.subarray(start, start + 65_536));
      checker.end();
    } catch (error) {
      if (error instanceof InvalidImportFileError) return error.message;
      throw error;
    }
    throw new Error('The check accepted the file');
  };

  it('refuses a packet over IMPORT_MAX_PACKET_BYTES, naming it and the limit, before it ends', () => {
    const instances = Array.from({ length: 400 }, (_, index) => `{"id":${index + 1}}`).join(',');
    const big = `"812":{"file":{"id":812},"instance_list":[${instances}]}`;
    expect(refusalWithin(`${head},${packet(5)},${big}}`, 4096)).toBe(
      'packet 812 is over 4 KiB, the most a packet may be; split the file or raise IMPORT_MAX_PACKET_BYTES.',
    );
    // The same file is fine under the default limit; a cut-off one is refused for size first.
    expect(check(`${head},${packet(5)},${big}}`).packetCount).toBe(2);
    expect(refusalWithin(`${head},${big.slice(0, 6000)}`, 4096)).toMatch(/^packet 812 is over/);
  });

  it('refuses nesting deeper than 64 levels', () => {
    const deep = `${'['.repeat(70)}${']'.repeat(70)}`;
    expect(refusal(`${head},"5":{"file":${deep}}}`)).toMatch(
      /^Not a Diffgram JSON file: its JSON nests deeper than 64 levels \(at byte \d+\)/,
    );
    // 64 levels (the top object, the packet and 62 lists) are fine for the check.
    const deepest = `${'['.repeat(62)}${']'.repeat(62)}`;
    expect(check(`${head},"5":{"file":${deepest}}}`).packetCount).toBe(1);
  });

  it('refuses a string longer than the packet limit while it is still arriving', () => {
    const long = 'a'.repeat(1_200_000);
    expect(refusalWithin(`{"readme":{"note":"${long}"},"label_map":{}}`, 4096)).toMatch(
      /^A string or number in the file \(after byte 17\) is longer than 4 KiB, more than any packet may be; split the file or raise IMPORT_MAX_PACKET_BYTES\.$/,
    );
  });
});
