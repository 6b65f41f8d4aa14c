import { Alert, Button, Group, Modal, Stack, Text } from '@mantine/core';
import type { Export } from '../../../../../contract/exports.ts';
import { errorMessage } from '../../../../lib/api-client.ts';
import { useArchiveExport } from '../../api/export-mutations.ts';

/** Props of ArchiveExportDialog. */
export interface ArchiveExportDialogProps {
  /** The project's `project_string_id`. */
  project: string;
  /** The export to archive; null keeps the dialog closed. */
  item: Export | null;
  onClose: () => void;
}

/** Asks before archiving (it deletes the file and cannot be undone); says why when the server refuses. */
export function ArchiveExportDialog({ project, item, onClose }: ArchiveExportDialogProps) {
  const archive = useArchiveExport(project);
  const close = () => {
    archive.reset();
    onClose();
  };
  return (
    <Modal
      opened={item !== null}
      onClose={close}
      title={item === null ? 'Archive export' : `Archive export ${item.id}?`}
      centered
    >
      {item !== null && (
        <Stack gap="md">
          <Text size="sm">
            {item.file_name ?? `Export ${item.id}`} leaves the list and its file is deleted. Links
            already handed out stop working. This cannot be undone.
          </Text>
          {archive.isError && (
            <Alert color="red" title="The export could not be archived">
              {errorMessage(archive.error)}
            </Alert>
          )}
          <Group justify="flex-end" gap="sm">
            <Button variant="default" onClick={close} data-autofocus>
              Cancel
            </Button>
            <Button
              color="red"
              loading={archive.isPending}
              onClick={() => archive.mutate(item.id, { onSuccess: close })}
            >
              Archive
            </Button>
          </Group>
        </Stack>
      )}
    </Modal>
  );
}
