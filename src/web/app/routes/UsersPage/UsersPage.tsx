import { useState } from 'react';
import { Alert, Container, Paper, Skeleton, Stack, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import type { SignUpLink } from '../../../../contract/auth.ts';
import { ErrorState } from '../../../components/ErrorState/ErrorState.tsx';
import { accountQueries } from '../../../features/accounts/api/account-queries.ts';
import { authQueries } from '../../../features/auth/api/auth-queries.ts';
import { AddUserForm } from '../../../features/accounts/components/AddUserForm/AddUserForm.tsx';
import { SignUpLinkNotice } from '../../../features/accounts/components/SignUpLinkNotice/SignUpLinkNotice.tsx';
import { UserList } from '../../../features/accounts/components/UserList/UserList.tsx';
import { errorMessage } from '../../../lib/api-client.ts';

/** `/admin/users`: instance admins add accounts (handing over a sign-up link), disable them, make admins. */
export function UsersPage() {
  const me = useQuery(authQueries.me());
  return (
    <Container size="lg" py="lg" component="main">
      <title>Users · annex</title>
      <Stack gap="lg">
        <Title order={1}>Users</Title>
        {me.isPending ? (
          <Stack gap="xs" role="status" aria-label="Loading the users">
            <Skeleton height={120} />
            <Skeleton height={200} />
          </Stack>
        ) : me.isError && me.data === undefined ? (
          <ErrorState
            title="Who you are could not be checked"
            message={errorMessage(me.error)}
            onRetry={() => void me.refetch()}
            retrying={me.isFetching}
          />
        ) : me.data.user.is_instance_admin ? (
          <UsersPanel meId={me.data.user.id} />
        ) : (
          <Alert color="gray" title="Only instance admins manage users">
            Ask an instance admin to add an account or change one.
          </Alert>
        )}
      </Stack>
    </Container>
  );
}

function UsersPanel({ meId }: { meId: number }) {
  const users = useQuery(accountQueries.users());
  const [link, setLink] = useState<SignUpLink | null>(null);
  return (
    <Stack gap="lg">
      <Paper withBorder p="md" component="section" aria-labelledby="add-user-heading">
        <Stack gap="sm">
          <Title order={2} size="h3" id="add-user-heading">
            Add a user
          </Title>
          <Text size="sm" c="dimmed">
            They get no password from you: they pick one through a one-time sign-up link. Add them
            to projects on each project’s Members page.
          </Text>
          <AddUserForm onCreated={setLink} />
        </Stack>
      </Paper>
      {link !== null && <SignUpLinkNotice link={link} onDone={() => setLink(null)} />}
      <Stack gap="sm" component="section" aria-labelledby="users-heading">
        <Title order={2} size="h3" id="users-heading">
          All users
        </Title>
        {users.isPending ? (
          <Stack gap="xs" role="status" aria-label="Loading the user list">
            <Skeleton height={32} />
            <Skeleton height={32} />
          </Stack>
        ) : users.isError && users.data === undefined ? (
          <ErrorState
            title="The users could not be loaded"
            message={errorMessage(users.error)}
            onRetry={() => void users.refetch()}
            retrying={users.isFetching}
          />
        ) : (
          <UserList users={users.data.users} meId={meId} onSignUpLink={setLink} />
        )}
      </Stack>
    </Stack>
  );
}
