import { describe, expect, it } from 'vitest';
import {
  StoredValueError,
  readAttributeValues,
  readGeometry,
  readKeyframes,
  readTextTokens,
} from './export-file-stored-json.ts';

// The JSON columns as the export reads them: the contract's shape comes out, anything else fails
// with a StoredValueError naming the row and the field.

const box = { id: 7, type: 'box' } as const;

describe('a stored geometry', () => {
  it("comes out as its type's fields only, in the contract's order", () => {
    const geometry = readGeometry(
      '{"y_max":40,"colour":"red","x_max":30,"y_min":2,"x_min":1}',
      box,
    );
    expect(JSON.stringify(geometry)).toBe('{"x_min":1,"y_min":2,"x_max":30,"y_max":40}');
    expect(
      JSON.stringify(
        readGeometry('{"points":[{"x":1.5,"y":2}],"hidden":true}', { id: 8, type: 'point' }),
      ),
    ).toBe('{"points":[{"x":1.5,"y":2}]}');
  });

  it('is not read for a global instance, which has none', () => {
    expect(readGeometry('not JSON', { id: 9, type: 'global' })).toEqual({});
  });

  it('names the missing field', () => {
    expect(() => readGeometry('{"x_min":1,"y_min":2,"x_max":3}', box)).toThrow(
      new StoredValueError(
        'Instance 7 (box) has no "y_max" in its stored geometry; fix or remove the instance.',
      ),
    );
  });

  it('names the first field that does not fit, at its path, and how many more do not', () => {
    expect(() =>
      readGeometry('{"x_min":1,"y_min":2,"x_max":3,"y_max":4,"points":[{"x":"a","y":1}]}', {
        id: 8,
        type: 'line',
      }),
    ).toThrow(
      'Instance 8 (line) has a stored geometry that does not fit its type: "points.0.x": Invalid input: expected number, received string (and 1 more); fix or remove the instance.',
    );
    expect(() => readGeometry('{"x_min":1.5,"y_min":2,"x_max":3,"y_max":4}', box)).toThrow(
      '"x_min": Invalid input: expected int, received number',
    );
  });

  it('fails on a value that is not an object, or not JSON', () => {
    expect(() => readGeometry('[1,2,3,4]', box)).toThrow(
      'Instance 7 (box) has a stored geometry that does not fit its type: the value: Invalid input: expected object, received array; fix or remove the instance.',
    );
    expect(() => readGeometry('{"x_min":', box)).toThrow(
      new StoredValueError(
        'Instance 7 (box) has invalid JSON in geometry; fix or remove the instance.',
      ),
    );
  });
});

describe('stored attribute values', () => {
  it('are answers keyed by attribute-group id, or null', () => {
    expect(readAttributeValues('{"2":5,"10":[1,2],"11":"dusk"}', box)).toEqual({
      '2': 5,
      '10': [1, 2],
      '11': 'dusk',
    });
    expect(readAttributeValues(null, box)).toBeNull();
    expect(readAttributeValues('null', box)).toBeNull();
  });

  it('are parsed once per distinct text, shared frozen, and a bad text fails every time', () => {
    const text = '{"3":[4,5],"6":1}';
    const first = readAttributeValues(text, box);
    expect(readAttributeValues(text, { id: 99, type: 'polygon' })).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
    expect(Object.isFrozen(first?.['3'])).toBe(true);
    for (const id of [1, 2])
      expect(() => readAttributeValues('{"3":true}', { id, type: 'box' })).toThrow(
        `Instance ${id} (box)`,
      );
  });

  it('fail on anything else, naming the group', () => {
    expect(() => readAttributeValues('{"2":{"nested":true}}', box)).toThrow(
      /^Instance 7 \(box\) has stored attribute_values that are not answers keyed by attribute-group id: "2": .*; fix or remove the instance\.$/,
    );
    expect(() => readAttributeValues('{2:5}', box)).toThrow(
      'Instance 7 (box) has invalid JSON in attribute_values; fix or remove the instance.',
    );
  });
});

describe('a stored keyframe list', () => {
  it('is a list of frame numbers', () => {
    expect(readKeyframes('[0,4,12]', 3)).toEqual([0, 4, 12]);
  });

  it('fails on anything else, naming the sequence', () => {
    expect(() => readKeyframes('[0,1.5]', 3)).toThrow(
      'Sequence 3 has a keyframe_list that is not a list of frame numbers: "1": Invalid input: expected int, received number; fix or remove the sequence.',
    );
    expect(() => readKeyframes('{"frames":[0]}', 3)).toThrow(StoredValueError);
    expect(() => readKeyframes('[0,', 3)).toThrow(
      'Sequence 3 has invalid JSON in keyframe_list; fix or remove the sequence.',
    );
  });
});

describe('stored text tokens', () => {
  it('come out with the four token fields, none when null', () => {
    expect(
      readTextTokens('[{"id":0,"text":"Hi","start_char":0,"end_char":2,"pos":"INTJ"}]'),
    ).toEqual([{ id: 0, text: 'Hi', start_char: 0, end_char: 2 }]);
    expect(readTextTokens(null)).toEqual([]);
  });

  it('fail on a malformed token, naming its position and field', () => {
    expect(() =>
      readTextTokens('[{"id":0,"text":"Hi","start_char":0,"end_char":2},{"id":1}]'),
    ).toThrow(
      'Its text_tokens are not a list of {id, text, start_char, end_char}: "1.text": Invalid input: expected string, received undefined (and 2 more)',
    );
    expect(() => readTextTokens('{"tokens":[]}')).toThrow(StoredValueError);
    expect(() => readTextTokens('[')).toThrow('Its text_tokens are not valid JSON');
  });
});
