import { useState } from 'react';
import type { SubmitEvent } from 'react';
import { Alert, Button, Group, List, Select, Stack } from '@mantine/core';
import { projectRoles } from '../../../../../contract/roles.ts';
import type { ProjectRole } from '../../../../../contract/roles.ts';
import { ErrorAlert } from '../../../../components/ErrorAlert/ErrorAlert.tsx';
import { useAddMember } from '../../api/account-mutations.ts';
import { AccountEmailInput } from '../AccountEmailInput/AccountEmailInput.tsx';
import { roleDescriptions, roleLabel, roleOptions } from '../../utils/role-text.ts';

/** Props of AddMemberForm. */
export interface AddMemberFormProps {
  /** The project's `project_string_id`. */
  project: string;
}

/** Adds an existing account to the project by email, with a role explained beside the picker. */
export function AddMemberForm({ project }: AddMemberFormProps) {
  const add = useAddMember(project);
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<ProjectRole>('viewer');

  const handleSubmit = (event: SubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    add.mutate({ email: email.trim(), role }, { onSuccess: () => setEmail('') });
  };

  return (
    <form onSubmit={handleSubmit} aria-label="Add a member">
      <Stack gap="sm">
        <Group align="flex-end" gap="sm">
          <AccountEmailInput value={email} onChange={setEmail} />
          <Select
            label="Role"
            data={roleOptions}
            value={role}
            onChange={(value) => {
              if (value !== null) setRole(value);
            }}
            allowDeselect={false}
            w={160}
          />
          <Button type="submit" loading={add.isPending} disabled={email.trim() === ''}>
            Add member
          </Button>
        </Group>
        <List size="sm" c="dimmed" spacing={2}>
          {projectRoles.map((r) => (
            <List.Item key={r}>{roleDescriptions[r]}</List.Item>
          ))}
        </List>
        <ErrorAlert title="The member could not be added" error={add.error} />
        {add.isSuccess && (
          <Alert color="teal" role="status">
            {add.data.email} added as {roleLabel(add.data.role).toLowerCase()}.
            {add.data.status === 'invited' &&
              ' They have not signed up yet: they can sign in once they use their sign-up link.'}
          </Alert>
        )}
      </Stack>
    </form>
  );
}
