import { useState } from 'react';
import { Alert, Button, Divider, Group, Loader, Modal, Stack, Text } from '@mantine/core';
import { isFinalImportStatus } from '../../../../../contract/imports.ts';
import { errorMessage } from '../../../../lib/api-client.ts';
import { useImportUpload } from '../../hooks/use-import-upload.ts';
import { useWatchedImport } from '../../hooks/use-watched-import.ts';
import { importFileName } from '../../utils/import-text.ts';
import { ImportForm } from '../ImportForm/ImportForm.tsx';
import type { ImportDraft } from '../ImportForm/ImportForm.tsx';
import { ImportProgress } from '../ImportProgress/ImportProgress.tsx';
import { ImportResult } from '../ImportResult/ImportResult.tsx';
import { ImportUploadProgress } from '../ImportUploadProgress/ImportUploadProgress.tsx';
import { RecentImports } from '../RecentImports/RecentImports.tsx';

/** Props of ImportDialog. */
export interface ImportDialogProps {
  /** The project's `project_string_id`. */
  project: string;
  opened: boolean;
  onClose: () => void;
  /** The directory the form starts with: the page's current directory, or empty. */
  defaultDirectory: string;
}

/**
 * Imports a Diffgram JSON file: choose it and where it goes, watch the upload, then the import's
 * validating and writing, and read its counts and problems. Closing during the upload cancels it;
 * closing later leaves the import running, and Recent imports finds it again.
 */
export function ImportDialog({ project, opened, onClose, defaultDirectory }: ImportDialogProps) {
  return (
    // A click beside the dialog must not close it: that would cancel an upload that may have run for minutes.
    <Modal
      opened={opened}
      onClose={onClose}
      title="Import annotations"
      size="lg"
      closeOnClickOutside={false}
    >
      {/* Mounted only while open: every opening starts from the form, and closing stops an upload. */}
      {opened && (
        <ImportDialogBody project={project} defaultDirectory={defaultDirectory} onClose={onClose} />
      )}
    </Modal>
  );
}

function ImportDialogBody({
  project,
  defaultDirectory,
  onClose,
}: {
  project: string;
  defaultDirectory: string;
  onClose: () => void;
}) {
  const [draft, setDraft] = useState<ImportDraft>({
    file: null,
    directory: defaultDirectory,
    onError: 'fail',
  });
  const [shownId, setShownId] = useState<number | null>(null);
  const [uploadingName, setUploadingName] = useState('');
  const upload = useImportUpload(project);
  const shown = useWatchedImport(project, shownId);

  let content;
  if (upload.uploading && upload.progress !== null) {
    content = (
      <ImportUploadProgress
        fileName={uploadingName}
        progress={upload.progress}
        onCancel={upload.cancel}
      />
    );
  } else if (shownId !== null) {
    const item = shown.data;
    content = (
      <Stack gap="md">
        {item === undefined ? (
          shown.isError ? (
            <Alert color="red" title={`Import ${shownId} could not be loaded`}>
              {errorMessage(shown.error)}
            </Alert>
          ) : (
            <Group gap="xs">
              <Loader size="sm" />
              <Text size="sm">Loading import {shownId}…</Text>
            </Group>
          )
        ) : (
          <>
            <Text size="sm">
              <strong>{importFileName(item)}</strong> into “{item.directory_name}” · import #
              {item.id}
            </Text>
            {isFinalImportStatus(item.status) ? (
              <ImportResult item={item} />
            ) : (
              <ImportProgress item={item} />
            )}
            {shown.isError && (
              <Text size="sm" c="orange.8">
                The import could not be re-read: {errorMessage(shown.error)} It is shown as it was;
                it will be read again shortly.
              </Text>
            )}
          </>
        )}
        <Group justify="flex-end" gap="sm">
          <Button variant="default" onClick={() => setShownId(null)}>
            Import another file
          </Button>
          <Button onClick={onClose}>Close</Button>
        </Group>
      </Stack>
    );
  } else {
    content = (
      <ImportForm
        draft={draft}
        onChange={setDraft}
        error={upload.error}
        onDismissError={upload.cancel}
        onSubmit={(request) => {
          setUploadingName(request.file.name);
          upload.start(request, (created) => setShownId(created.id));
        }}
      />
    );
  }

  return (
    <Stack gap="lg">
      {content}
      <Divider />
      <RecentImports project={project} shownId={shownId} onShow={setShownId} />
    </Stack>
  );
}
