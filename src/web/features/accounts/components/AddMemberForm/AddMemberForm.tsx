import { useState } from 'react';
import type { SubmitEvent } from 'react';
import { Alert, Button, Group, List, Select, Stack, TextInput } from '@mantine/core';
import { emailMaxLength } from '../../../../../contract/auth.ts';
import { projectRoles } from '../../../../../contract/roles.ts';
import type { ProjectRole } from '../../../../../contract/roles.ts';
import { errorMessage } from '../../../../lib/api-client.ts';
import { useAddMember } from '../../api/account-mutations.ts';
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
          <TextInput
            label="Email"
            type="email"
            placeholder="someone@example.com"
            value={email}
            onChange={(event) => setEmail(event.currentTarget.value)}
            maxLength={emailMaxLength}
            required
            style={{ flex: 1, minWidth: 240 }}
          />
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
        {add.isError && (
          <Alert color="red" title="The member could not be added">
            {errorMessage(add.error)}
          </Alert>
        )}
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
