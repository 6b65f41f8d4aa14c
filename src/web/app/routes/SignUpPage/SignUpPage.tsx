import { Alert, Container, Paper, Skeleton, Stack, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useNavigate, useParams } from 'react-router';
import { authQueries } from '../../../features/auth/api/auth-queries.ts';
import {
  askForNewLinkText,
  SignUpForm,
} from '../../../features/auth/components/SignUpForm/SignUpForm.tsx';
import { errorMessage } from '../../../lib/api-client.ts';
import { formatAbsoluteTime } from '../../../lib/format.ts';

/** `/sign-up/:token`: the account a sign-up link is for picks its password, and is then signed in. */
export function SignUpPage() {
  const { token = '' } = useParams();
  const navigate = useNavigate();
  const info = useQuery(authQueries.signUpInfo(token));

  return (
    <Container size={460} py={80}>
      <title>Sign up · annex</title>
      <Stack gap="lg">
        <Stack gap={4}>
          <Text fw={800} c="indigo.7" size="lg">
            annex
          </Text>
          <Title order={1} size="h2">
            Create your account
          </Title>
        </Stack>
        {info.isPending ? (
          <Stack gap="md" aria-busy aria-label="Reading the sign-up link" role="status">
            <Skeleton height={36} />
            <Skeleton height={36} />
            <Skeleton height={36} />
          </Stack>
        ) : info.isError ? (
          <Alert color="red" title="This sign-up link does not work" role="alert">
            <Stack gap={4}>
              <Text size="sm">{errorMessage(info.error)}</Text>
              <Text size="sm">{askForNewLinkText}</Text>
            </Stack>
          </Alert>
        ) : (
          <Paper withBorder p="lg">
            <Stack gap="md">
              <Text size="sm">
                Pick the password you will sign in with. The link works once and until{' '}
                {formatAbsoluteTime(info.data.expires_at)}.
              </Text>
              <SignUpForm
                token={token}
                email={info.data.email}
                onSignedUp={() => void navigate('/', { replace: true })}
              />
            </Stack>
          </Paper>
        )}
      </Stack>
    </Container>
  );
}
