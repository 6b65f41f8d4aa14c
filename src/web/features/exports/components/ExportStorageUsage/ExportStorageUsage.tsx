import { Stack, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { retentionPolicyText } from '../../../../../contract/export-storage.ts';
import { errorMessage } from '../../../../lib/api-client.ts';
import { formatBytes, pluralize } from '../../../../lib/format.ts';
import { exportQueries } from '../../api/export-queries.ts';

/** Props of ExportStorageUsage. */
export interface ExportStorageUsageProps {
  /** The project's `project_string_id`. */
  project: string;
  /** When the export list was last read (its `dataUpdatedAt`; 0 before): the figure is read again with it. */
  listUpdatedAt: number;
}

/**
 * "Storage used: 1.2 GB in 14 exports" under the export list's heading, and the server's retention
 * policy in words when one is set. Read again whenever the list is.
 */
export function ExportStorageUsage({ project, listUpdatedAt }: ExportStorageUsageProps) {
  const storage = useQuery(exportQueries.storage(project, listUpdatedAt));
  if (storage.data === undefined) {
    return storage.isError ? (
      <Text size="sm" c="dimmed">
        Storage used could not be read: {errorMessage(storage.error)}
      </Text>
    ) : null;
  }
  const { bytes, export_count: count, retention } = storage.data;
  const policy = retentionPolicyText(retention);
  return (
    <Stack gap={2}>
      <Text size="sm">
        Storage used: {formatBytes(bytes)} in {pluralize(count, 'export')}
      </Text>
      {policy !== null && (
        <Text size="sm" c="dimmed">
          {policy}
        </Text>
      )}
    </Stack>
  );
}
