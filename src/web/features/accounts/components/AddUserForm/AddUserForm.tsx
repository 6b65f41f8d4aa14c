import { useState } from 'react';
import type { SubmitEvent } from 'react';
import { Alert, Button, Checkbox, Group, Stack, TextInput } from '@mantine/core';
import { emailMaxLength } from '../../../../../contract/auth.ts';
import type { SignUpLink } from '../../../../../contract/auth.ts';
import { errorMessage } from '../../../../lib/api-client.ts';
import { useCreateUser } from '../../api/account-mutations.ts';

/** Props of AddUserForm. */
export interface AddUserFormProps {
  /** Called with the new user's one-time sign-up link (shown by the caller). */
  onCreated: (link: SignUpLink) => void;
}

/** Adds an account by email; its owner picks a password through the sign-up link this hands back. */
export function AddUserForm({ onCreated }: AddUserFormProps) {
  const create = useCreateUser();
  const [email, setEmail] = useState('');
  const [instanceAdmin, setInstanceAdmin] = useState(false);

  const handleSubmit = (event: SubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    create.mutate(
      { email: email.trim(), is_instance_admin: instanceAdmin },
      {
        onSuccess: (link) => {
          setEmail('');
          setInstanceAdmin(false);
          onCreated(link);
        },
      },
    );
  };

  return (
    <form onSubmit={handleSubmit} aria-label="Add a user">
      <Stack gap="sm">
        <Group align="flex-end" gap="md">
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
          <Button type="submit" loading={create.isPending} disabled={email.trim() === ''}>
            Add user
          </Button>
        </Group>
        <Checkbox
          label="Instance admin"
          description="May add users and projects, and administers every project"
          checked={instanceAdmin}
          onChange={(event) => setInstanceAdmin(event.currentTarget.checked)}
        />
        {create.isError && (
          <Alert color="red" title="The user could not be added">
            {errorMessage(create.error)}
          </Alert>
        )}
      </Stack>
    </form>
  );
}
