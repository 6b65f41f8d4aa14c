import { Button } from '@mantine/core';
import { useState } from 'react';
import type { Export } from '../../../../../contract/exports.ts';
import { ConfirmDialog } from '../../../../components/ConfirmDialog/ConfirmDialog.tsx';
import { ErrorAlert } from '../../../../components/ErrorAlert/ErrorAlert.tsx';
import { useCancelExport, useRetryExport } from '../../api/export-cancel-retry.ts';

/** Props of ExportCancelRetryActions. */
export interface ExportCancelRetryActionsProps {
  item: Export;
  /** Shows Cancel on a queued or running export: an admin's, or an editor's own (as Archive). */
  canCancel: boolean;
  /** Shows Retry on a failed or cancelled export not retried yet: editor and up. */
  canRetry: boolean;
}

/**
 * A row's Cancel (asked first: the work done so far is thrown away) and Retry buttons, each shown
 * only where it applies; a refused retry says why under the button.
 */
export function ExportCancelRetryActions({
  item,
  canCancel,
  canRetry,
}: ExportCancelRetryActionsProps) {
  const project = item.project_string_id;
  const cancel = useCancelExport(project);
  const retry = useRetryExport(project);
  const [confirming, setConfirming] = useState(false);
  const unfinished = item.status === 'queued' || item.status === 'running';
  const retriable =
    (item.status === 'failed' || item.status === 'cancelled') && item.retried_by === null;
  return (
    <>
      {canCancel && unfinished && (
        <Button size="xs" variant="subtle" color="orange" onClick={() => setConfirming(true)}>
          Cancel
        </Button>
      )}
      {canRetry && retriable && (
        <Button
          size="xs"
          variant="light"
          loading={retry.isPending}
          onClick={() => retry.mutate(item.id)}
          title="A new export with the same source and settings"
        >
          Retry
        </Button>
      )}
      {retry.error !== null && (
        <ErrorAlert title="The export could not be retried" error={retry.error} />
      )}
      <ConfirmDialog
        opened={confirming}
        title={`Cancel export ${item.id}?`}
        confirmLabel="Cancel export"
        color="orange"
        errorTitle="The export could not be cancelled"
        action={cancel}
        onConfirm={() => cancel.mutateAsync(item.id)}
        onClose={() => setConfirming(false)}
      >
        {`Export ${item.id} stops ${item.status === 'running' ? `at ${Math.round(item.percent_complete)}% ` : ''}and leaves no file. You can retry it later with the same settings.`}
      </ConfirmDialog>
    </>
  );
}
