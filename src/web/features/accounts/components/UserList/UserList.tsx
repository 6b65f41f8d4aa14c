import { Alert, Badge, Button, Group, Stack, Table, Text } from '@mantine/core';
import type { SignUpLink, User } from '../../../../../contract/auth.ts';
import { ErrorAlert } from '../../../../components/ErrorAlert/ErrorAlert.tsx';
import { formatAbsoluteTime } from '../../../../lib/format.ts';
import { useCreateSignUpLink, useUpdateUser } from '../../api/account-mutations.ts';
import { AccountTable } from '../AccountTable/AccountTable.tsx';

/** Props of UserList. */
export interface UserListProps {
  users: User[];
  /** The signed-in user's id (their own row offers no way to lock themselves out). */
  meId: number;
  /** Called with a freshly issued sign-up link (shown by the caller). */
  onSignUpLink: (link: SignUpLink) => void;
}

const statusColors: Record<User['status'], string> = {
  active: 'teal',
  invited: 'yellow',
  disabled: 'gray',
};

const userColumns = ['Email', 'Instance admin', 'Status', 'Created', ''];

/** Every account: its status, and per row a new sign-up link, disable/enable and instance admin on/off. */
export function UserList({ users, meId, onSignUpLink }: UserListProps) {
  const update = useUpdateUser();
  const newLink = useCreateSignUpLink();
  const failedEmail = (id: number | undefined) =>
    users.find((u) => u.id === id)?.email ?? 'the user';

  if (users.length === 0) {
    return (
      <Text c="dimmed" py="md">
        No users yet.
      </Text>
    );
  }
  return (
    <Stack gap="sm">
      {update.isError && (
        <ErrorAlert
          title={`${failedEmail(update.variables.id)} could not be changed`}
          error={update.error}
          onDismiss={() => update.reset()}
        />
      )}
      {update.isSuccess && (
        <Alert color="teal" role="status">
          {describeUpdate(update.data, update.variables.change)}
        </Alert>
      )}
      {newLink.isError && (
        <ErrorAlert
          title={`No sign-up link for ${failedEmail(newLink.variables)}`}
          error={newLink.error}
          onDismiss={() => newLink.reset()}
        />
      )}
      <AccountTable label="Users" columns={userColumns} minWidth={900}>
        {users.map((user) => {
          const isMe = user.id === meId;
          const updating = update.isPending && update.variables.id === user.id;
          const pendingChange = updating ? update.variables.change : undefined;
          return (
            <Table.Tr key={user.id}>
              <Table.Td>
                {user.email}
                {isMe && (
                  <Text span c="dimmed" size="sm">
                    {' '}
                    (you)
                  </Text>
                )}
              </Table.Td>
              <Table.Td>{user.is_instance_admin ? 'Yes' : 'No'}</Table.Td>
              <Table.Td>
                <Badge color={statusColors[user.status]} variant="light">
                  {user.status}
                </Badge>
              </Table.Td>
              <Table.Td>{formatAbsoluteTime(user.created_time)}</Table.Td>
              <Table.Td>
                <Group gap="xs" justify="flex-end" wrap="nowrap">
                  {!isMe && user.status !== 'disabled' && (
                    <Button
                      size="xs"
                      variant="default"
                      loading={newLink.isPending && newLink.variables === user.id}
                      onClick={() => newLink.mutate(user.id, { onSuccess: onSignUpLink })}
                      aria-label={`New sign-up link for ${user.email}`}
                    >
                      New sign-up link
                    </Button>
                  )}
                  {!isMe && (
                    <>
                      <Button
                        size="xs"
                        variant="default"
                        loading={pendingChange?.is_instance_admin !== undefined}
                        disabled={updating}
                        onClick={() =>
                          update.mutate({
                            id: user.id,
                            change: { is_instance_admin: !user.is_instance_admin },
                          })
                        }
                        aria-label={`${user.is_instance_admin ? 'Remove instance admin' : 'Make instance admin'}: ${user.email}`}
                      >
                        {user.is_instance_admin ? 'Remove instance admin' : 'Make instance admin'}
                      </Button>
                      <Button
                        size="xs"
                        variant="light"
                        color={user.status === 'disabled' ? 'teal' : 'red'}
                        loading={pendingChange?.disabled !== undefined}
                        disabled={updating}
                        onClick={() =>
                          update.mutate({
                            id: user.id,
                            change: { disabled: user.status !== 'disabled' },
                          })
                        }
                        aria-label={`${user.status === 'disabled' ? 'Enable' : 'Disable'} ${user.email}`}
                      >
                        {user.status === 'disabled' ? 'Enable' : 'Disable'}
                      </Button>
                    </>
                  )}
                </Group>
              </Table.Td>
            </Table.Tr>
          );
        })}
      </AccountTable>
    </Stack>
  );
}

function describeUpdate(user: User, change: { disabled?: boolean; is_instance_admin?: boolean }) {
  if (change.disabled === true) return `${user.email} is disabled: they can no longer sign in.`;
  if (change.disabled === false) return `${user.email} is enabled again.`;
  return user.is_instance_admin
    ? `${user.email} is now an instance admin.`
    : `${user.email} is no longer an instance admin.`;
}
