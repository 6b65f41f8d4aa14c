import { Alert, Button, Group, Modal, Stack, Text } from '@mantine/core';
import type { Member } from '../../../../../contract/auth.ts';
import { errorMessage } from '../../../../lib/api-client.ts';
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
  const close = () => {
    remove.reset();
    onClose();
  };
  return (
    <Modal
      opened={member !== null}
      onClose={close}
      title={member === null ? 'Remove member' : `Remove ${member.email}?`}
      centered
    >
      {member !== null && (
        <Stack gap="md">
          <Text size="sm">
            {member.email} loses access to this project at once, and so do their API keys here.
            Their exports stay. You can add them again later.
          </Text>
          {remove.isError && (
            <Alert color="red" title="The member could not be removed">
              {errorMessage(remove.error)}
            </Alert>
          )}
          <Group justify="flex-end" gap="sm">
            <Button variant="default" onClick={close} data-autofocus>
              Cancel
            </Button>
            <Button
              color="red"
              loading={remove.isPending}
              onClick={() =>
                remove.mutate(member.user_id, {
                  onSuccess: () => {
                    onRemoved(member);
                    close();
                  },
                })
              }
            >
              Remove
            </Button>
          </Group>
        </Stack>
      )}
    </Modal>
  );
}
