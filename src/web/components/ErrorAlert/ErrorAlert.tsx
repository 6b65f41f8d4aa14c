import type { ReactNode } from 'react';
import { Alert, Stack, Text } from '@mantine/core';
import { errorMessage } from '../../lib/api-client.ts';

/** Props of ErrorAlert. */
export interface ErrorAlertProps {
  /** What could not be done. */
  title: string;
  /** The failure; null shows nothing. */
  error: Error | null;
  /** When given, the alert has a Dismiss button calling it (usually the mutation's `reset`). */
  onDismiss?: () => void;
  /** What to do next, below the server's message. */
  children?: ReactNode;
}

/** A failed action, said plainly: the server's message under what could not be done. */
export function ErrorAlert({ title, error, onDismiss, children }: ErrorAlertProps) {
  if (error === null) return null;
  const dismissProps =
    onDismiss === undefined
      ? {}
      : { withCloseButton: true, closeButtonLabel: 'Dismiss', onClose: onDismiss };
  return (
    <Alert color="red" title={title} {...dismissProps}>
      {children === undefined ? (
        errorMessage(error)
      ) : (
        <Stack gap={4}>
          <Text size="sm">{errorMessage(error)}</Text>
          {children}
        </Stack>
      )}
    </Alert>
  );
}
