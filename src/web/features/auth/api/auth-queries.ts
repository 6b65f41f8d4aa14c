import { queryOptions } from '@tanstack/react-query';
import { fetchMe, fetchSignUpInfo } from './auth-api.ts';

/** Query keys and options for accounts: one factory so every key is made in one place. */
export const authQueries = {
  all: () => ['auth'] as const,
  /** Who is signed in; a minute fresh, so each page does not ask again (a 401 anywhere signs out anyway). */
  me: () =>
    queryOptions({
      queryKey: [...authQueries.all(), 'me'] as const,
      queryFn: ({ signal }) => fetchMe(signal),
      staleTime: 60_000,
    }),
  /** Whose sign-up link a token is; read once (the link is single-use, its answer does not change). */
  signUpInfo: (token: string) =>
    queryOptions({
      queryKey: [...authQueries.all(), 'sign-up', { token }] as const,
      queryFn: ({ signal }) => fetchSignUpInfo(token, signal),
      staleTime: Number.POSITIVE_INFINITY,
      retry: false,
    }),
};
