import { Text } from '@mantine/core';
import type { Export } from '../../../../../contract/exports.ts';

/** Props of ExportRetryNotes. */
export interface ExportRetryNotesProps {
  item: Pick<Export, 'status' | 'status_text' | 'retry_of' | 'retried_by'>;
}

/**
 * Under an export's status: who cancelled it (a cancelled one), and the retry links, "retry of #12"
 * on a retry and "retried as #15" on the export it retried.
 */
export function ExportRetryNotes({ item }: ExportRetryNotesProps) {
  return (
    <>
      {item.status === 'cancelled' && (
        <Text size="sm" c="orange.9">
          {item.status_text ?? 'Cancelled before it finished.'}
        </Text>
      )}
      {item.retry_of !== null && (
        <Text size="xs" c="dimmed">
          retry of #{item.retry_of}
        </Text>
      )}
      {item.retried_by !== null && (
        <Text size="xs" c="dimmed">
          retried as #{item.retried_by}
        </Text>
      )}
    </>
  );
}
