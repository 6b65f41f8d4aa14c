import { Paper, Skeleton, Stack, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useNavigate, useParams } from 'react-router';
import { authQueries } from '../../../features/auth/api/auth-queries.ts';
import { AuthPageLayout } from '../../../features/auth/components/AuthPageLayout/AuthPageLayout.tsx';
import {
  askForNewLinkText,
  SignUpForm,
} from '../../../features/auth/components/SignUpForm/SignUpForm.tsx';
import { ErrorAlert } from '../../../components/ErrorAlert/ErrorAlert.tsx';
import { formatAbsoluteTime } from '../../../lib/format.ts';

/** `/sign-up/:token`: the account a sign-up link is for picks its password, and is then signed in. */
export function SignUpPage() {
  const { token = '' } = useParams();
  const navigate = useNavigate();
  const info = useQuery(authQueries.signUpInfo(token));

  return (
    <AuthPageLayout heading="Create your account" tabTitle="Sign up" width={460}>
      {info.isPending ? (
        <Stack gap="md" aria-busy aria-label="Reading the sign-up link" role="status">
          <Skeleton height={36} />
          <Skeleton height={36} />
          <Skeleton height={36} />
        </Stack>
      ) : info.isError ? (
        <ErrorAlert title="This sign-up link does not work" error={info.error}>
          <Text size="sm">{askForNewLinkText}</Text>
        </ErrorAlert>
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
    </AuthPageLayout>
  );
}
