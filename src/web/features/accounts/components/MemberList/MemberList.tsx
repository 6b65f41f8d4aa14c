import { useState } from 'react';
import { Alert, Badge, Button, Group, Select, Stack, Table, Text } from '@mantine/core';
import type { Member } from '../../../../../contract/auth.ts';
import type { ProjectRole } from '../../../../../contract/roles.ts';
import { ErrorAlert } from '../../../../components/ErrorAlert/ErrorAlert.tsx';
import { formatAbsoluteTime } from '../../../../lib/format.ts';
import { useChangeMemberRole } from '../../api/account-mutations.ts';
import { roleLabel, roleOptions } from '../../utils/role-text.ts';
import { AccountTable } from '../AccountTable/AccountTable.tsx';
import { RemoveMemberDialog } from '../RemoveMemberDialog/RemoveMemberDialog.tsx';

const memberColumns = ['Email', 'Role', 'Account', 'Added', ''];

/** Props of MemberList. */
export interface MemberListProps {
  /** The project's `project_string_id`. */
  project: string;
  members: Member[];
}

/** The project's members: a role picker per row (saved on change) and Remove behind a confirmation. */
export function MemberList({ project, members }: MemberListProps) {
  const changeRole = useChangeMemberRole(project);
  const [removing, setRemoving] = useState<Member | null>(null);
  const [removed, setRemoved] = useState<Member | null>(null);

  const handleRoleChange = (member: Member, role: ProjectRole) => {
    setRemoved(null);
    changeRole.mutate({ userId: member.user_id, role });
  };
  const changedMember = members.find((m) => m.user_id === changeRole.variables?.userId);

  return (
    <Stack gap="sm">
      <ErrorAlert
        title={`The role of ${changedMember?.email ?? 'the member'} could not be changed`}
        error={changeRole.error}
        onDismiss={() => changeRole.reset()}
      />
      {changeRole.isSuccess && (
        <Alert color="teal" role="status">
          {changeRole.data.email} is now {roleLabel(changeRole.data.role).toLowerCase()}.
        </Alert>
      )}
      {removed !== null && (
        <Alert color="teal" role="status">
          {removed.email} removed from the project.
        </Alert>
      )}
      {members.length === 0 ? (
        <Text c="dimmed" py="md">
          This project has no members yet.
        </Text>
      ) : (
        <AccountTable label="Members" columns={memberColumns} minWidth={720}>
          {members.map((member) => {
            const saving = changeRole.isPending && changeRole.variables.userId === member.user_id;
            return (
              <Table.Tr key={member.user_id}>
                <Table.Td>{member.email}</Table.Td>
                <Table.Td>
                  <Select
                    aria-label={`Role of ${member.email}`}
                    data={roleOptions}
                    // While saving, the picker shows the role asked for, not the one it replaces.
                    value={saving ? changeRole.variables.role : member.role}
                    onChange={(value) => {
                      if (value !== null && value !== member.role) handleRoleChange(member, value);
                    }}
                    allowDeselect={false}
                    disabled={saving}
                    rightSection={saving ? <Text size="xs">…</Text> : undefined}
                    size="xs"
                    w={130}
                  />
                </Table.Td>
                <Table.Td>
                  <MemberStatusBadge status={member.status} />
                </Table.Td>
                <Table.Td>{formatAbsoluteTime(member.added_time)}</Table.Td>
                <Table.Td>
                  <Group justify="flex-end">
                    <Button
                      size="xs"
                      variant="light"
                      color="red"
                      onClick={() => setRemoving(member)}
                      aria-label={`Remove ${member.email}`}
                    >
                      Remove
                    </Button>
                  </Group>
                </Table.Td>
              </Table.Tr>
            );
          })}
        </AccountTable>
      )}
      <RemoveMemberDialog
        project={project}
        member={removing}
        onClose={() => setRemoving(null)}
        onRemoved={(member) => {
          changeRole.reset();
          setRemoved(member);
        }}
      />
    </Stack>
  );
}

function MemberStatusBadge({ status }: { status: Member['status'] }) {
  if (status === 'invited')
    return (
      <Badge color="yellow" variant="light" title="Has not used their sign-up link yet">
        Invited
      </Badge>
    );
  if (status === 'disabled')
    return (
      <Badge color="gray" variant="light">
        Disabled
      </Badge>
    );
  return (
    <Badge color="teal" variant="light">
      Active
    </Badge>
  );
}
