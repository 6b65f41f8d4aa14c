import type { SubmitEvent } from 'react';
import { Button, FileInput, Group, Radio, Stack, TextInput } from '@mantine/core';
import { createImportQuerySchema } from '../../../../../contract/imports.ts';
import type { ImportErrorMode } from '../../../../../contract/imports.ts';
import { ErrorAlert } from '../../../../components/ErrorAlert/ErrorAlert.tsx';
import { ApiRequestError } from '../../../../lib/api-client.ts';
import { formatBytes } from '../../../../lib/format.ts';
import type { ImportUpload } from '../../api/imports-api.ts';

/** What the form holds before Import: a file may not be chosen yet. */
export interface ImportDraft {
  file: File | null;
  directory: string;
  onError: ImportErrorMode;
}

/** Props of ImportForm. */
export interface ImportFormProps {
  draft: ImportDraft;
  onChange: (draft: ImportDraft) => void;
  /** Called with a chosen file and a valid directory name. */
  onSubmit: (upload: ImportUpload) => void;
  /** Why the last upload failed, shown above the button. */
  error: Error | null;
  onDismissError: () => void;
}

/** Why a directory name cannot be sent, by the contract's own rule; undefined when it can. */
export function directoryNameProblem(name: string): string | undefined {
  if (name.trim() === '') return 'Name the directory to import into.';
  const checked = createImportQuerySchema.shape.directory.safeParse(name.trim());
  if (checked.success) return undefined;
  return name.length > 200
    ? 'A directory name has at most 200 characters.'
    : 'A directory name must not contain control characters.';
}

/** The Import dialog's form: the file, the directory to import into, and what a bad packet does. */
export function ImportForm({ draft, onChange, onSubmit, error, onDismissError }: ImportFormProps) {
  const directoryProblem = directoryNameProblem(draft.directory);
  const update = (change: Partial<ImportDraft>) => onChange({ ...draft, ...change });

  const handleSubmit = (event: SubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (draft.file === null || directoryProblem !== undefined) return;
    onSubmit({ file: draft.file, directory: draft.directory.trim(), onError: draft.onError });
  };

  return (
    <form onSubmit={handleSubmit} aria-label="Import a file" noValidate>
      <Stack gap="md">
        <FileInput
          label="Diffgram JSON file"
          description={
            draft.file === null
              ? 'A file exported by annex or by Diffgram (JSON 1.0)'
              : formatBytes(draft.file.size)
          }
          placeholder="Choose a .json file"
          accept=".json,application/json"
          // The hidden input the file goes through, named for tests and assistive tools that reach it.
          fileInputProps={{ 'aria-label': 'Diffgram JSON file to import' }}
          value={draft.file}
          onChange={(file) => update({ file })}
          clearable
          required
        />
        <TextInput
          label="Directory"
          description="Files go into this directory; a name the project does not have makes a new one."
          value={draft.directory}
          onChange={(event) => update({ directory: event.currentTarget.value })}
          // Empty is said by the disabled button; only a name that cannot be sent is an error.
          error={draft.directory.trim() === '' ? undefined : directoryProblem}
          required
        />
        <Radio.Group
          label="If a packet is invalid"
          description="Every packet is checked before anything is written."
          value={draft.onError}
          onChange={(value) => update({ onError: value === 'skip' ? 'skip' : 'fail' })}
        >
          <Stack gap={6} mt={6}>
            <Radio value="fail" label="Fail the import (write nothing)" />
            <Radio value="skip" label="Skip it and import the rest" />
          </Stack>
        </Radio.Group>
        <ErrorAlert title="The file was not imported" error={error} onDismiss={onDismissError}>
          {error instanceof ApiRequestError && error.code === 'invalid_import_file'
            ? 'Choose a Diffgram JSON 1.0 file, as annex or Diffgram export it.'
            : undefined}
        </ErrorAlert>
        <Group justify="flex-end">
          <Button type="submit" disabled={draft.file === null || directoryProblem !== undefined}>
            Import
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
