import { useEffect } from 'react';
import { Paper, Text } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { useNavigate, useSearchParams } from 'react-router';
import { AuthPageLayout } from '../../../features/auth/components/AuthPageLayout/AuthPageLayout.tsx';
import { SignInForm } from '../../../features/auth/components/SignInForm/SignInForm.tsx';
import { safeNextPath } from '../../../features/auth/utils/sign-in-path.ts';

/** `/sign-in`: signs in, then goes to `?next=` when it is one of the panel's own paths, else home. */
export function SignInPage() {
  const [searchParams] = useSearchParams();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const next = safeNextPath(searchParams.get('next'));

  // Nobody is signed in here (signed out, or the session ended): nothing the last account read stays.
  useEffect(() => queryClient.clear(), [queryClient]);

  return (
    <AuthPageLayout
      heading="Sign in"
      width={420}
      intro={
        next !== '/' && (
          <Text size="sm" c="dimmed">
            Sign in to continue where you were.
          </Text>
        )
      }
    >
      <Paper withBorder p="lg">
        <SignInForm onSignedIn={() => void navigate(next, { replace: true })} />
      </Paper>
      <Text size="sm" c="dimmed">
        No account? An instance admin of annex creates one and gives you a sign-up link.
      </Text>
    </AuthPageLayout>
  );
}
