import { useState } from 'react';
import type { SubmitEvent } from 'react';
import { Button, Checkbox, Group, Stack } from '@mantine/core';
import type { SignUpLink } from '../../../../../contract/auth.ts';
import { ErrorAlert } from '../../../../components/ErrorAlert/ErrorAlert.tsx';
import { useCreateUser } from '../../api/account-mutations.ts';
import { AccountEmailInput } from '../AccountEmailInput/AccountEmailInput.tsx';

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
          <AccountEmailInput value={email} onChange={setEmail} />
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
        <ErrorAlert title="The user could not be added" error={create.error} />
      </Stack>
    </form>
  );
}
