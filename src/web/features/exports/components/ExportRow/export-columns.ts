/** The export table's column headers, in the order `ExportRow` fills its cells. */
export const exportColumns = [
  'Date',
  'Status',
  'Source',
  'Files',
  'Instances',
  'Size',
  'Completed only',
  'Actions',
] as const;
