import type { Export } from '../../../../../contract/exports.ts';
import { ConfirmDialog } from '../../../../components/ConfirmDialog/ConfirmDialog.tsx';
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
  return (
    <ConfirmDialog
      opened={item !== null}
      title={item === null ? 'Archive export' : `Archive export ${item.id}?`}
      confirmLabel="Archive"
      errorTitle="The export could not be archived"
      action={archive}
      onConfirm={() => (item === null ? Promise.resolve() : archive.mutateAsync(item.id))}
      onClose={onClose}
    >
      {item !== null &&
        `${item.file_name ?? `Export ${item.id}`} leaves the list and its file is deleted. Links already handed out stop working. This cannot be undone.`}
    </ConfirmDialog>
  );
}
