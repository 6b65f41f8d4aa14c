import type { Member } from '../../../../../contract/auth.ts';
import { ConfirmDialog } from '../../../../components/ConfirmDialog/ConfirmDialog.tsx';
import { useRemoveMember } from '../../api/account-mutations.ts';

/** Props of RemoveMemberDialog. */
export interface RemoveMemberDialogProps {
  /** The project's `project_string_id`. */
  project: string;
  /** The member to remove; null keeps the dialog closed. */
  member: Member | null;
  onClose: () => void;
  /** Called once the server has removed them. */
  onRemoved: (member: Member) => void;
}

/** Asks before removing a member; says why when the server refuses (the last admin stays). */
export function RemoveMemberDialog({
  project,
  member,
  onClose,
  onRemoved,
}: RemoveMemberDialogProps) {
  const remove = useRemoveMember(project);
  return (
    <ConfirmDialog
      opened={member !== null}
      title={member === null ? 'Remove member' : `Remove ${member.email}?`}
      confirmLabel="Remove"
      errorTitle="The member could not be removed"
      action={remove}
      onConfirm={async () => {
        if (member === null) return;
        await remove.mutateAsync(member.user_id);
        onRemoved(member);
      }}
      onClose={onClose}
    >
      {member !== null &&
        `${member.email} loses access to this project at once, and so do their API keys here. Their exports stay. You can add them again later.`}
    </ConfirmDialog>
  );
}
