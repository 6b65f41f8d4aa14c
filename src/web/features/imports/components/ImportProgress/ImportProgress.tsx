import { Group, Progress, Stack, Text } from '@mantine/core';
import type { Import } from '../../../../../contract/imports.ts';
import { pluralize } from '../../../../lib/format.ts';
import { importStageText } from '../../utils/import-text.ts';
import { ImportStateBadge } from '../ImportStateBadge/ImportStateBadge.tsx';

/** Props of ImportProgress. */
export interface ImportProgressProps {
  /** A queued or running import. */
  item: Import;
}

/** A queued or running import: its state and stage, and its percent over both stages. */
export function ImportProgress({ item }: ImportProgressProps) {
  const percent = Math.floor(item.percent_complete);
  return (
    <Stack gap="xs">
      <Group gap="xs" wrap="nowrap">
        <ImportStateBadge item={item} />
        <Text size="sm">{importStageText(item)}</Text>
      </Group>
      <Progress
        value={percent}
        size="lg"
        animated={item.status === 'running'}
        aria-label={`Import ${item.id} progress`}
      />
      <Text size="sm" c="dimmed">
        {percent}%
        {item.packet_count === null ? '' : ` · ${pluralize(item.packet_count, 'file packet')}`}
      </Text>
      <Text size="xs" c="dimmed">
        You can close this dialog: the import goes on, and Recent imports shows how it ended.
      </Text>
    </Stack>
  );
}
