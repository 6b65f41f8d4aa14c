import type { ReactNode } from 'react';
import { Button, Group, Modal, Stack, Text } from '@mantine/core';
import type { MantineColor } from '@mantine/core';
import { ErrorAlert } from '../ErrorAlert/ErrorAlert.tsx';

/** The state of the mutation a confirmation runs (a TanStack Query mutation fits). */
export interface ConfirmAction {
  isPending: boolean;
  error: Error | null;
  reset: () => void;
}

/** Props of ConfirmDialog. */
export interface ConfirmDialogProps {
  opened: boolean;
  title: string;
  /** What confirming does and whether it can be undone; shown only while open. */
  children: ReactNode;
  /** The confirm button's label (Cancel is the other button). */
  confirmLabel: string;
  /** The confirm button's colour; red by default, since what is confirmed is usually destructive. */
  color?: MantineColor;
  /** The title of the alert that shows the server's reason when it refuses. */
  errorTitle: string;
  /** The mutation confirming runs: pending shows on the button, its error in the dialog. */
  action: ConfirmAction;
  /** Runs the action; the dialog closes once it resolves and stays open (showing why) when it rejects. */
  onConfirm: () => Promise<unknown>;
  onClose: () => void;
}

/** Asks before doing something that cannot be taken back; Cancel has the focus, and closing forgets any error. */
export function ConfirmDialog({
  opened,
  title,
  children,
  confirmLabel,
  color = 'red',
  errorTitle,
  action,
  onConfirm,
  onClose,
}: ConfirmDialogProps) {
  const close = () => {
    action.reset();
    onClose();
  };
  const handleConfirm = async () => {
    try {
      await onConfirm();
    } catch {
      return; // The action's error is shown in the dialog, which stays open.
    }
    close();
  };
  return (
    <Modal opened={opened} onClose={close} title={title} centered>
      {opened && (
        <Stack gap="md">
          <Text size="sm">{children}</Text>
          <ErrorAlert title={errorTitle} error={action.error} />
          <Group justify="flex-end" gap="sm">
            <Button variant="default" onClick={close} data-autofocus>
              Cancel
            </Button>
            <Button color={color} loading={action.isPending} onClick={() => void handleConfirm()}>
              {confirmLabel}
            </Button>
          </Group>
        </Stack>
      )}
    </Modal>
  );
}
