import { Alert, Button, Stack, Text } from '@mantine/core';

/** Props of ErrorState. */
export interface ErrorStateProps {
  /** What could not be done. */
  title: string;
  /** What happened and what to do, usually the server's message. */
  message: string;
  onRetry: () => void;
  retrying?: boolean;
}

/** A failed load, said plainly, with a retry. */
export function ErrorState({ title, message, onRetry, retrying = false }: ErrorStateProps) {
  return (
    <Alert color="red" title={title} role="alert">
      <Stack gap="sm" align="flex-start">
        <Text size="sm">{message}</Text>
        <Button variant="light" color="red" size="xs" onClick={onRetry} loading={retrying}>
          Try again
        </Button>
      </Stack>
    </Alert>
  );
}
