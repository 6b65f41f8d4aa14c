import type { LabelColourMap, LabelMap } from '../../../../../contract/export-file.ts';

/** The file's labels as the drawing needs them: name and colour by label id. */
export interface SpotCheckLabels {
  labelMap: LabelMap;
  labelColourMap: LabelColourMap;
}

/** Drawn when a label id has no colour in the file (itself worth noticing: the title says so). */
export const missingLabelColour = '#868e96';

/** The label's colour from the file's `label_colour_map`, grey when the file has none for it. */
export function labelColour(labels: SpotCheckLabels, labelId: number | null): string {
  if (labelId === null) return missingLabelColour;
  return labels.labelColourMap[String(labelId)]?.hex ?? missingLabelColour;
}

/** The label's name from the file's `label_map`, or words saying it is not there. */
export function labelName(labels: SpotCheckLabels, labelId: number | null): string {
  if (labelId === null) return 'no label';
  return labels.labelMap[String(labelId)] ?? `label ${labelId} (not in the file's label_map)`;
}
