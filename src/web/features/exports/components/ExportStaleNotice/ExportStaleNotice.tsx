import { Badge, Stack, Text, Tooltip } from '@mantine/core';
import type { ChangesSince } from '../../../../../contract/exports.ts';
import { staleBreakdown, staleSentence } from '../../utils/export-regeneration.ts';

/** Props of ExportStaleNotice. */
export interface ExportStaleNoticeProps {
  /** What changed in the export's source since its snapshot (some count above 0). */
  changes: ChangesSince;
}

/** The Stale badge of a complete export whose source changed, with how many files and how. */
export function ExportStaleNotice({ changes }: ExportStaleNoticeProps) {
  return (
    <Stack gap={2} maw={220}>
      <Tooltip
        multiline
        w={260}
        withArrow
        label="The source changed after this export read it: the file no longer matches the data. Regenerate for a file with today’s data."
      >
        <Badge color="orange" variant="filled" size="sm" w="fit-content">
          Stale
        </Badge>
      </Tooltip>
      <Text size="xs" c="orange.9">
        {staleSentence(changes)}
      </Text>
      <Text size="xs" c="dimmed">
        {staleBreakdown(changes)}
      </Text>
    </Stack>
  );
}
