import {
  apiKeyListResponseSchema,
  auditListResponseSchema,
  createdApiKeySchema,
  memberListResponseSchema,
  memberSchema,
  signUpLinkSchema,
  userListResponseSchema,
  userSchema,
} from '../../../../contract/auth.ts';
import type {
  ApiKeyListResponse,
  AuditAction,
  AuditListResponse,
  CreateApiKeyRequest,
  CreatedApiKey,
  CreateUserRequest,
  Member,
  MemberListResponse,
  SignUpLink,
  UpdateUserRequest,
  User,
  UserListResponse,
} from '../../../../contract/auth.ts';
import type { ProjectRole } from '../../../../contract/roles.ts';
import { apiRequest, apiRequestNoContent } from '../../../lib/api-client.ts';

function projectPath(project: string, rest: string): string {
  return `/projects/${encodeURIComponent(project)}${rest}`;
}

/** GET the signed-in user's API keys, newest first, revoked ones included. */
export function fetchApiKeys(signal?: AbortSignal): Promise<ApiKeyListResponse> {
  return apiRequest('/auth/api-keys', apiKeyListResponseSchema, { signal });
}

/** POST a new API key; the answer carries its secret, the only time the server sends it. */
export function createApiKey(request: CreateApiKeyRequest): Promise<CreatedApiKey> {
  return apiRequest('/auth/api-keys', createdApiKeySchema, { method: 'POST', body: request });
}

/** DELETE (revoke) one of the signed-in user's keys: it stops working at once. */
export function revokeApiKey(id: number): Promise<void> {
  return apiRequestNoContent(`/auth/api-keys/${id}`, { method: 'DELETE' });
}

/** GET every user of the instance (instance admins only). */
export function fetchUsers(signal?: AbortSignal): Promise<UserListResponse> {
  return apiRequest('/users', userListResponseSchema, { signal });
}

/** POST a new user; the answer is their one-time sign-up link. */
export function createUser(request: CreateUserRequest): Promise<SignUpLink> {
  return apiRequest('/users', signUpLinkSchema, { method: 'POST', body: request });
}

/** PATCH a user: disable or enable them, or change whether they are an instance admin. */
export function updateUser(id: number, request: UpdateUserRequest): Promise<User> {
  return apiRequest(`/users/${id}`, userSchema, { method: 'PATCH', body: request });
}

/** POST for a fresh sign-up link for a user (an earlier one stops working). */
export function createSignUpLink(id: number): Promise<SignUpLink> {
  return apiRequest(`/users/${id}/sign-up-link`, signUpLinkSchema, { method: 'POST' });
}

/** GET a project's members (project admins only). */
export function fetchMembers(project: string, signal?: AbortSignal): Promise<MemberListResponse> {
  return apiRequest(projectPath(project, '/members'), memberListResponseSchema, { signal });
}

/** POST an existing user into the project with a role (404 when no account has that email). */
export function addMember(project: string, email: string, role: ProjectRole): Promise<Member> {
  return apiRequest(projectPath(project, '/members'), memberSchema, {
    method: 'POST',
    body: { email, role },
  });
}

/** PATCH a member's role (409 when it would leave the project without an admin). */
export function changeMemberRole(
  project: string,
  userId: number,
  role: ProjectRole,
): Promise<Member> {
  return apiRequest(projectPath(project, `/members/${userId}`), memberSchema, {
    method: 'PATCH',
    body: { role },
  });
}

/** DELETE a member from the project (409 for its last admin). */
export function removeMember(project: string, userId: number): Promise<void> {
  return apiRequestNoContent(projectPath(project, `/members/${userId}`), { method: 'DELETE' });
}

/** Which audit events to read: an action to keep (or every one) and the page size. */
export interface AuditFilters {
  action: AuditAction | undefined;
  limit: number;
}

/** GET one page of a project's audit trail, newest first. */
export function fetchProjectAudit(
  project: string,
  filters: AuditFilters,
  cursor: string | undefined,
  signal?: AbortSignal,
): Promise<AuditListResponse> {
  return apiRequest(projectPath(project, '/audit'), auditListResponseSchema, {
    query: { action: filters.action, limit: filters.limit, cursor },
    signal,
  });
}
