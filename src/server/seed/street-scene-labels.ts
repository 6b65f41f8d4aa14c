import { instanceTypes } from '../../contract/annotations.ts';
import type { InstanceType } from '../../contract/annotations.ts';

// The labels the demo and the bulk project share, in insertion order (label ids follow it), and
// which of them each drawn instance type may carry. Both seeds draw from these lists with their own
// random numbers, so the order of every list is part of the seeded data: append, never reorder.
// (A module of shared definitions, not of writing: project-writer.ts writes whatever it is given.)

/** Street-scene labels with their `#rrggbb` colours. */
export const streetSceneLabels = [
  { name: 'car', colour: '#e6194b' },
  { name: 'pedestrian', colour: '#3cb44b' },
  { name: 'cyclist', colour: '#ffe119' },
  { name: 'traffic light', colour: '#4363d8' },
  { name: 'street sign', colour: '#f58231' },
  { name: 'lane marking', colour: '#911eb4' },
  { name: 'place', colour: '#42d4f4' },
] as const;

/** The name of one of `streetSceneLabels`. */
export type StreetSceneLabel = (typeof streetSceneLabels)[number]['name'];

/** An instance type drawn on an image or frame (not a text span, not a whole-file answer). */
export type DrawnType = Exclude<InstanceType, 'text_token' | 'global'>;

/** Every drawn type, in the contract's order, which is the order a weighted draw table lists them. */
export const drawnTypes: readonly DrawnType[] = instanceTypes.filter(
  (type): type is DrawnType => type !== 'text_token' && type !== 'global',
);

/**
 * A table to draw instance types from with one uniform pick: each type `weight` times, in
 * `drawnTypes` order (a type left out is never drawn). Weights must be whole numbers.
 */
export function drawnTypeTable(weights: Partial<Record<DrawnType, number>>): DrawnType[] {
  return drawnTypes.flatMap((type) => {
    const weight = weights[type] ?? 0;
    if (!Number.isInteger(weight) || weight < 0) {
      throw new Error(`The weight of ${type} must be a whole number, got ${weight}`);
    }
    return Array<DrawnType>(weight).fill(type);
  });
}

/** The labels an instance of each drawn type may carry. */
export const labelsByDrawnType: Record<DrawnType, readonly StreetSceneLabel[]> = {
  box: ['car', 'pedestrian', 'cyclist', 'traffic light', 'street sign'],
  polygon: ['car', 'street sign'],
  line: ['lane marking'],
  point: ['traffic light'],
  ellipse: ['traffic light', 'street sign'],
  cuboid: ['car'],
  keypoints: ['pedestrian'],
};
