import { Button } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { ImportDialog } from '../ImportDialog/ImportDialog.tsx';

/** Props of ImportAction. */
export interface ImportActionProps {
  /** The project's `project_string_id`. */
  project: string;
  /** The page's current directory, which the dialog offers to import into; null when none. */
  currentDirectoryName: string | null;
}

/** The Import button and its dialog (for editors and admins: the page decides who sees it). */
export function ImportAction({ project, currentDirectoryName }: ImportActionProps) {
  const [opened, { open, close }] = useDisclosure(false);
  return (
    <>
      <Button variant="default" onClick={open}>
        Import
      </Button>
      <ImportDialog
        project={project}
        opened={opened}
        onClose={close}
        defaultDirectory={currentDirectoryName ?? ''}
      />
    </>
  );
}
