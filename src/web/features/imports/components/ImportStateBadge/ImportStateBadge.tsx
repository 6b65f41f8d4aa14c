import { Badge } from '@mantine/core';
import type { MantineColor } from '@mantine/core';
import type { Import, ImportStatus } from '../../../../../contract/imports.ts';
import { importStateLabel } from '../../utils/import-text.ts';

const statusColors: Record<ImportStatus, MantineColor> = {
  queued: 'gray',
  running: 'blue',
  complete: 'teal',
  failed: 'red',
};

/** Props of ImportStateBadge. */
export interface ImportStateBadgeProps {
  item: Pick<Import, 'status' | 'stage'>;
}

/** An import's state as a badge: Queued, Validating, Writing, Complete or Failed. */
export function ImportStateBadge({ item }: ImportStateBadgeProps) {
  return (
    <Badge color={statusColors[item.status]} variant="light">
      {importStateLabel(item)}
    </Badge>
  );
}
