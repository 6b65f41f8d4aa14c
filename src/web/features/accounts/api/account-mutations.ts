import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { QueryClient } from '@tanstack/react-query';
import type {
  ApiKeyListResponse,
  CreateApiKeyRequest,
  CreateUserRequest,
  UpdateUserRequest,
  User,
  UserListResponse,
} from '../../../../contract/auth.ts';
import type { ProjectRole } from '../../../../contract/roles.ts';
import { projectQueries } from '../../projects/api/project-queries.ts';
import {
  addMember,
  changeMemberRole,
  createApiKey,
  createSignUpLink,
  createUser,
  removeMember,
  revokeApiKey,
  updateUser,
} from './accounts-api.ts';
import { accountQueries } from './account-queries.ts';

/**
 * Creates an API key. Only the listed half (no secret) goes into the cache; the form hands the
 * secret to the page that shows it once and resets the mutation, which keeps nothing after it.
 */
export function useCreateApiKey() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (request: CreateApiKeyRequest) => createApiKey(request),
    // The answer holds the secret: kept no longer than the page that shows it once.
    gcTime: 0,
    onSuccess: async ({ key }) => {
      queryClient.setQueryData<ApiKeyListResponse>(accountQueries.apiKeys().queryKey, (list) =>
        list === undefined || list.keys.some((listed) => listed.id === key.id)
          ? list
          : { keys: [key, ...list.keys] },
      );
      await queryClient.invalidateQueries({ queryKey: accountQueries.apiKeys().queryKey });
    },
  });
}

/** Revokes one of your keys; the list is re-read to show when. */
export function useRevokeApiKey() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: number) => revokeApiKey(id),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: accountQueries.apiKeys().queryKey }),
  });
}

function seedUser(queryClient: QueryClient, user: User): void {
  queryClient.setQueryData<UserListResponse>(accountQueries.users().queryKey, (list) =>
    list === undefined
      ? list
      : {
          users: list.users.some((listed) => listed.id === user.id)
            ? list.users.map((listed) => (listed.id === user.id ? user : listed))
            : [...list.users, user],
        },
  );
}

/** Adds a user; the answer is their one-time sign-up link. */
export function useCreateUser() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (request: CreateUserRequest) => createUser(request),
    onSuccess: async (link) => {
      seedUser(queryClient, link.user);
      await queryClient.invalidateQueries({ queryKey: accountQueries.users().queryKey });
    },
  });
}

/** Disables or enables a user, or changes whether they are an instance admin. */
export function useUpdateUser() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id, change }: { id: number; change: UpdateUserRequest }) =>
      updateUser(id, change),
    onSuccess: async (user) => {
      seedUser(queryClient, user);
      await queryClient.invalidateQueries({ queryKey: accountQueries.users().queryKey });
    },
  });
}

/** Issues a fresh sign-up link for a user. */
export function useCreateSignUpLink() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: number) => createSignUpLink(id),
    onSuccess: async (link) => {
      seedUser(queryClient, link.user);
      await queryClient.invalidateQueries({ queryKey: accountQueries.users().queryKey });
    },
  });
}

/**
 * After any member change: the member list, the audit trail that now records it, and the project
 * itself (an admin who lowered their own role is no longer one).
 */
async function refreshProjectAccounts(queryClient: QueryClient, project: string): Promise<void> {
  await Promise.all([
    queryClient.invalidateQueries({ queryKey: accountQueries.project(project) }),
    queryClient.invalidateQueries({ queryKey: projectQueries.detail(project).queryKey }),
  ]);
}

/** Adds an existing user to the project with a role. */
export function useAddMember(project: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ email, role }: { email: string; role: ProjectRole }) =>
      addMember(project, email, role),
    onSuccess: () => refreshProjectAccounts(queryClient, project),
  });
}

/** Changes a member's role. */
export function useChangeMemberRole(project: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ userId, role }: { userId: number; role: ProjectRole }) =>
      changeMemberRole(project, userId, role),
    onSuccess: () => refreshProjectAccounts(queryClient, project),
  });
}

/** Removes a member from the project. */
export function useRemoveMember(project: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (userId: number) => removeMember(project, userId),
    onSuccess: () => refreshProjectAccounts(queryClient, project),
  });
}
