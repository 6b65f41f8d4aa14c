import { describe, expect, it } from 'vitest';
import { drawnTypeTable, drawnTypes, labelsByDrawnType } from './street-scene-labels.ts';

describe('drawnTypeTable', () => {
  it('lists each type as often as its weight, in drawnTypes order whatever the key order', () => {
    expect(drawnTypeTable({ line: 1, box: 3, polygon: 2 })).toEqual([
      'box',
      'box',
      'box',
      'polygon',
      'polygon',
      'line',
    ]);
  });

  it('refuses a weight that is not a whole number', () => {
    expect(() => drawnTypeTable({ box: 1.5 })).toThrow('The weight of box must be a whole number');
    expect(() => drawnTypeTable({ point: -1 })).toThrow('The weight of point');
  });

  it('knows labels for every drawn type', () => {
    for (const type of drawnTypes) expect(labelsByDrawnType[type].length).toBeGreaterThan(0);
  });
});
