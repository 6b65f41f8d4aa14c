import { Button, Group, Progress, Stack, Text } from '@mantine/core';
import type { UploadProgress } from '../../../../lib/api-client.ts';
import { formatBytes } from '../../../../lib/format.ts';

/** Props of ImportUploadProgress. */
export interface ImportUploadProgressProps {
  /** The file being sent. */
  fileName: string;
  progress: UploadProgress;
  /** Stops the upload. */
  onCancel: () => void;
}

/** Whole percent sent, rounded down: 100 only once every byte has gone. */
export function uploadPercent({ loaded, total }: UploadProgress): number {
  if (total <= 0) return 100;
  return Math.min(100, Math.floor((loaded / total) * 100));
}

/** The file going to the server: bytes sent of its size, the percent, and a Cancel. */
export function ImportUploadProgress({ fileName, progress, onCancel }: ImportUploadProgressProps) {
  const percent = uploadPercent(progress);
  return (
    <Stack gap="xs">
      <Text size="sm">
        Uploading <strong>{fileName}</strong>
      </Text>
      <Progress value={percent} size="lg" animated aria-label="Upload progress" />
      <Text size="sm" c="dimmed" aria-live="polite">
        {formatBytes(progress.loaded)} of {formatBytes(progress.total)} · {percent}%
      </Text>
      <Group justify="space-between" align="center">
        <Text size="xs" c="dimmed">
          Closing this dialog cancels the upload.
        </Text>
        <Button variant="default" size="sm" onClick={onCancel}>
          Cancel upload
        </Button>
      </Group>
    </Stack>
  );
}
