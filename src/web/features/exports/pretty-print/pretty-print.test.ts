import { describe, expect, it } from 'vitest';
import { prettyPrintJson, PrettyPrintError, splitIntoChunks } from './pretty-print.ts';

describe('prettyPrintJson', () => {
  it('indents minified JSON two spaces, as JSON.stringify would', () => {
    const value = {
      readme: { about: 'say "hi" \\ to \u00e9 and 😀', empty_object: {}, empty_list: [] },
      label_map: { a: 'Car' },
      list: [1, -2.5, 3e-7, true, false, null, { x: [[]] }],
    };
    const minified = JSON.stringify(value);
    expect(prettyPrintJson(minified).text).toBe(JSON.stringify(value, null, 2));
  });

  it('keeps the file’s key order and number text, which JSON.parse would change', () => {
    const source =
      '{"readme":{"v":"1.0"},"label_map":{"12":"Car","3":"Bus"},"9":{"w":1.50},"2":{"w":12345678901234567890}}';
    const { text } = prettyPrintJson(source);
    expect(text.indexOf('"readme"')).toBeLessThan(text.indexOf('"9"'));
    expect(text.indexOf('"9"')).toBeLessThan(text.indexOf('"2"'));
    expect(text.indexOf('"12"')).toBeLessThan(text.indexOf('"3"'));
    expect(text).toContain('"w": 1.50');
    expect(text).toContain('"w": 12345678901234567890');
  });

  it('reformats already pretty or oddly spaced JSON the same way', () => {
    const value = { a: [1, { b: 'c d' }], e: {} };
    const spaced = ' {\n\t"a" :[ 1 ,{ "b":"c d"} ] ,\r\n "e": { } }\n';
    expect(prettyPrintJson(spaced).text).toBe(JSON.stringify(value, null, 2));
  });

  it('reports each top-level entry’s foldable range and the line count', () => {
    const source =
      '{"readme":{"a":1},"export_info":{"id":3},"label_map":{},"17":{"file":{"id":17}},"18":[1,2]}';
    const { text, topLevelRanges, lineCount } = prettyPrintJson(source);
    expect(topLevelRanges.map((range) => range.key)).toEqual(['readme', 'export_info', '17', '18']);
    for (const range of topLevelRanges) {
      expect(['{', '[']).toContain(text[range.from - 1]);
      expect(['}', ']']).toContain(text[range.to]);
    }
    const packet = topLevelRanges[2];
    expect(packet === undefined ? '' : text.slice(packet.from - 1, packet.to + 1)).toBe(
      JSON.stringify({ file: { id: 17 } }, null, 2).replaceAll('\n', '\n  '),
    );
    expect(lineCount).toBe(text.split('\n').length);
  });

  it('round-trips a large generated export', () => {
    const file: Record<string, unknown> = { readme: { format: 'Diffgram JSON 1.0' } };
    for (let id = 1; id <= 3000; id += 1) {
      file[String(id)] = {
        file: { id, original_filename: `img_${id}.jpg`, ann_is_complete: id % 2 === 0 },
        instance_list: [
          {
            id: id * 10,
            type: 'box',
            x_min: 1,
            y_min: 2,
            x_max: 30,
            y_max: 40,
            attribute_groups: null,
          },
        ],
      };
    }
    const minified = JSON.stringify(file);
    const result = prettyPrintJson(minified);
    expect(JSON.parse(result.text)).toEqual(file);
    expect(result.topLevelRanges).toHaveLength(3001);
  });

  it.each([
    ['', 'The file is empty.'],
    ['{"a":[1,2}', 'an unexpected "}" at character 10'],
    ['{"a":"never closes}', 'a string that never closes at character 6'],
    ['{"a":nope}', 'an unknown value "nope" at character 6'],
    ['{"a":1} {"b":2}', 'text after the end of the JSON value at character 9'],
    ['{"a":{"b":1}', 'The file ends before its JSON does'],
    [',1', 'a comma outside any object or list at character 1'],
  ])('rejects %j: %s', (source, message) => {
    expect(() => prettyPrintJson(source)).toThrow(PrettyPrintError);
    expect(() => prettyPrintJson(source)).toThrow(message);
  });

  it('handles escaped quotes and backslashes at the end of strings', () => {
    const value = { a: 'ends with backslash \\', b: 'quote \\" inside', c: '\\\\' };
    expect(JSON.parse(prettyPrintJson(JSON.stringify(value)).text)).toEqual(value);
  });
});

describe('splitIntoChunks', () => {
  it('cuts after newlines into pieces of at least the size, which join back to the text', () => {
    const text = Array.from({ length: 500 }, (_, index) => `line ${index}`).join('\n');
    const chunks = splitIntoChunks(text, 100);
    expect(chunks.join('')).toBe(text);
    expect(chunks.length).toBeGreaterThan(10);
    for (const chunk of chunks.slice(0, -1)) {
      expect(chunk.endsWith('\n')).toBe(true);
      expect(chunk.length).toBeGreaterThanOrEqual(100);
    }
  });

  it('keeps a text shorter than the size whole, and gives nothing for nothing', () => {
    expect(splitIntoChunks('{\n}', 100)).toEqual(['{\n}']);
    expect(splitIntoChunks('', 100)).toEqual([]);
  });
});
