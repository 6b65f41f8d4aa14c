import { Box, Group, Loader, Stack, Text } from '@mantine/core';
import type { ExportSource, PreflightResponse } from '../../../../../contract/exports.ts';
import { formatCheckValue } from '../../utils/export-selection.ts';
import classes from './PreflightValue.module.css';

/** Props of PreflightValue. */
export interface PreflightValueProps {
  /** True while the source is incomplete (no job picked yet). */
  waitingForSource: boolean;
  source: ExportSource;
  /** True until there is a first count to show. */
  pending: boolean;
  /** True while a newer count is on its way; the one on screen is dimmed. */
  updating: boolean;
  data: PreflightResponse | undefined;
  /** Why the count could not be computed. */
  error: string | undefined;
}

/**
 * The check value a user compares with what they expect before pressing Generate; a live region,
 * so a screen reader hears the new count after each change.
 */
export function PreflightValue({
  waitingForSource,
  source,
  pending,
  updating,
  data,
  error,
}: PreflightValueProps) {
  let content;
  if (waitingForSource) {
    content = (
      <Text size="sm" c="dimmed">
        Pick a {source} to see what it would export.
      </Text>
    );
  } else if (error !== undefined) {
    content = (
      <Text size="sm" c="red">
        Could not count the files: {error}
      </Text>
    );
  } else if (pending || data === undefined) {
    content = (
      <Group gap={6}>
        <Loader size="xs" />
        <Text size="sm" c="dimmed">
          Counting files…
        </Text>
      </Group>
    );
  } else {
    content = (
      <Stack gap={2} align="flex-end" className={updating ? classes.updating : undefined}>
        <Text size="sm" fw={600}>
          {formatCheckValue(data)}
        </Text>
        {data.file_count === 0 && data.empty_reason !== null && (
          <Text size="sm" c="orange.8" ta="right">
            {data.empty_reason}
          </Text>
        )}
      </Stack>
    );
  }
  return (
    <Box
      role="status"
      aria-live="polite"
      aria-busy={updating}
      aria-label="Check value"
      className={classes.checkValue}
    >
      {content}
    </Box>
  );
}
