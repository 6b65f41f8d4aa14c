import { Badge, Progress, Stack, Text } from '@mantine/core';
import type { MantineColor } from '@mantine/core';
import type { Export, ExportStatus } from '../../../../../contract/exports.ts';
import { isStaleExport } from '../../utils/export-regeneration.ts';
import { ExportStaleNotice } from '../ExportStaleNotice/ExportStaleNotice.tsx';

const statusColors: Record<ExportStatus, MantineColor> = {
  queued: 'gray',
  running: 'blue',
  complete: 'teal',
  failed: 'red',
  cancelled: 'orange',
};

/** Props of ExportStatusCell. */
export interface ExportStatusCellProps {
  item: Pick<Export, 'id' | 'status' | 'status_text' | 'percent_complete' | 'changes_since'>;
}

/**
 * An export's status: a badge; while queued or running a progress bar with its percent; when
 * failed, why, in full; when complete but its source changed since, the Stale badge.
 */
export function ExportStatusCell({ item }: ExportStatusCellProps) {
  const inProgress = item.status === 'queued' || item.status === 'running';
  const percent = Math.round(item.percent_complete);
  return (
    <Stack gap={4} miw={120}>
      <Badge color={statusColors[item.status]} variant="light">
        {item.status}
      </Badge>
      {inProgress && (
        <Stack gap={2} maw={200}>
          <Progress
            value={percent}
            size="sm"
            animated={item.status === 'running'}
            aria-label={`Export ${item.id} progress`}
          />
          <Text size="xs" c="dimmed">
            {percent}%
          </Text>
        </Stack>
      )}
      {isStaleExport(item) && item.changes_since !== null && (
        <ExportStaleNotice changes={item.changes_since} />
      )}
      {item.status === 'failed' && (
        <Text size="sm" c="red.8">
          {item.status_text ??
            'The export failed without saying why. Generate it again; if it fails again, check the server log.'}
        </Text>
      )}
    </Stack>
  );
}
