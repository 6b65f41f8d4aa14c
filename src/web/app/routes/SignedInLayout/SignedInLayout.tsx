import { useState } from 'react';
import { Alert } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import type { QueryClient } from '@tanstack/react-query';
import type { LoaderFunctionArgs } from 'react-router';
import { Outlet, redirect, useMatch, useNavigate } from 'react-router';
import { useSignOut } from '../../../features/auth/api/auth-mutations.ts';
import { authQueries } from '../../../features/auth/api/auth-queries.ts';
import { AccountBar } from '../../../features/auth/components/AccountBar/AccountBar.tsx';
import { ChangePasswordBanner } from '../../../features/auth/components/ChangePasswordBanner/ChangePasswordBanner.tsx';
import { ChangePasswordDialog } from '../../../features/auth/components/ChangePasswordDialog/ChangePasswordDialog.tsx';
import { useSignInOnUnauthenticated } from '../../../features/auth/hooks/use-sign-in-on-unauthenticated.ts';
import { signInPath, signInRoute } from '../../../features/auth/utils/sign-in-path.ts';
import { projectQueries } from '../../../features/projects/api/project-queries.ts';
import { errorMessage, isUnauthenticated } from '../../../lib/api-client.ts';

/** The signed-in layout's loader: a visitor nobody signed in goes to sign-in, then comes back here. */
export function signedInLoader(queryClient: QueryClient) {
  return async ({ request }: LoaderFunctionArgs): Promise<Response | null> => {
    try {
      await queryClient.query(authQueries.me());
    } catch (error) {
      if (isUnauthenticated(error)) return redirect(signInPath(new URL(request.url)));
      throw error;
    }
    return null;
  };
}

/** Every page that needs an account: the account bar, the change-password prompt, then the page. */
export function SignedInLayout() {
  useSignInOnUnauthenticated();
  const navigate = useNavigate();
  const me = useQuery(authQueries.me());
  const project = useMatch('/projects/:project/*')?.params.project;
  // The page reads the same project (same key), so this costs no request of its own.
  const detail = useQuery({
    ...projectQueries.detail(project ?? ''),
    enabled: project !== undefined,
  });
  const signOut = useSignOut();
  const [changingPassword, setChangingPassword] = useState(false);

  const handleSignOut = async () => {
    try {
      await signOut.mutateAsync();
    } catch (error) {
      // A session that already ended is signed out all the same; anything else is said below the bar.
      if (!isUnauthenticated(error)) return;
    }
    // The sign-in page empties the cache once this page is gone (emptied here, its queries would refetch).
    await navigate(signInRoute, { replace: true });
  };

  // The loader read `me` before this rendered; a later 401 leaves the page through the hook above.
  if (me.data === undefined) return null;
  const adminOfProject =
    project !== undefined && detail.data?.project.my_role === 'admin' ? project : null;

  return (
    <>
      <AccountBar
        email={me.data.user.email}
        isInstanceAdmin={me.data.user.is_instance_admin}
        adminOfProject={adminOfProject}
        onChangePassword={() => setChangingPassword(true)}
        onSignOut={() => void handleSignOut()}
        signingOut={signOut.isPending}
      />
      {signOut.isError && (
        <Alert
          color="red"
          title="Could not sign out"
          radius={0}
          withCloseButton
          closeButtonLabel="Dismiss"
          onClose={signOut.reset}
        >
          {errorMessage(signOut.error)}
        </Alert>
      )}
      {me.data.must_change_password && (
        <ChangePasswordBanner onChangePassword={() => setChangingPassword(true)} />
      )}
      <ChangePasswordDialog opened={changingPassword} onClose={() => setChangingPassword(false)} />
      <Outlet />
    </>
  );
}
