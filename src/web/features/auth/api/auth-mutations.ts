import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { QueryClient } from '@tanstack/react-query';
import type {
  ChangePasswordRequest,
  MeResponse,
  SignInRequest,
  SignUpRequest,
} from '../../../../contract/auth.ts';
import { changePassword, signIn, signOut, signUp } from './auth-api.ts';
import { authQueries } from './auth-queries.ts';

/**
 * Mutation meta for calls whose 401 means something else than "the session ended" (signing out
 * a session that already ended): the panel does not send the user to the sign-in page for them.
 */
export const ownsUnauthenticatedMeta = { ownsUnauthenticated: true } as const;

/** True for a mutation marked with `ownsUnauthenticatedMeta`. */
export function ownsUnauthenticated(meta: Record<string, unknown> | undefined): boolean {
  return meta?.ownsUnauthenticated === true;
}

/** Starts the cache over for a newly signed-in user: nothing another account read may show. */
export function startSession(queryClient: QueryClient, me: MeResponse): void {
  queryClient.clear();
  queryClient.setQueryData(authQueries.me().queryKey, me);
}

/** Signs in with an email and password; on success the cache holds only the new user. */
export function useSignIn() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (request: SignInRequest) => signIn(request),
    // The password is in the mutation's variables: forget them as soon as the form is gone.
    gcTime: 0,
    onSuccess: (me) => startSession(queryClient, me),
  });
}

/** Picks a password with a sign-up link's token; the new user is then signed in. */
export function useSignUp() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (request: SignUpRequest) => signUp(request),
    gcTime: 0,
    onSuccess: (me) => startSession(queryClient, me),
  });
}

/** Ends the session server-side; the sign-in page it leads to empties the cache. */
export function useSignOut() {
  return useMutation({ mutationFn: signOut, meta: ownsUnauthenticatedMeta });
}

/** Changes the signed-in user's password; `me` then no longer asks for it. */
export function useChangePassword() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (request: ChangePasswordRequest) => changePassword(request),
    // Both passwords are in the mutation's variables: forget them as soon as the dialog is gone.
    // (A wrong current password is a 400 shown in the dialog; a 401 here is an ended session.)
    gcTime: 0,
    onSuccess: async () => {
      queryClient.setQueryData(authQueries.me().queryKey, (me) =>
        me === undefined ? me : { ...me, must_change_password: false },
      );
      await queryClient.invalidateQueries({ queryKey: authQueries.me().queryKey });
    },
  });
}
