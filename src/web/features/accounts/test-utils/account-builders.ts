import { http } from 'msw';
import {
  apiKeySchema,
  auditEventSchema,
  auditListResponseSchema,
  createdApiKeySchema,
  meResponseSchema,
  memberSchema,
  signUpLinkSchema,
  userSchema,
} from '../../../../contract/auth.ts';
import type {
  ApiKey,
  AuditEvent,
  AuditListResponse,
  CreatedApiKey,
  MeResponse,
  Member,
  SignUpLink,
  User,
} from '../../../../contract/auth.ts';
import {
  projectDetailResponseSchema,
  projectListResponseSchema,
} from '../../../../contract/projects.ts';
import type { ProjectDetailResponse, ProjectListResponse } from '../../../../contract/projects.ts';
import type { ProjectRole } from '../../../../contract/roles.ts';
import { apiPath, jsonResponse } from '../../../test-utils/api-server.ts';
import { demoProject } from '../../../test-utils/builders.ts';

// Account test data, parsed by the contract like every builder, and the handlers the account pages
// need before anything else (who is signed in, their projects with their role).

/** A user; `admin@annex.local`, an active instance admin, by default. */
export function buildUser(overrides: Partial<User> = {}): User {
  return userSchema.parse({
    id: 1,
    email: 'admin@annex.local',
    is_instance_admin: true,
    status: 'active',
    created_time: '2025-11-20T09:00:00.000Z',
    ...overrides,
  });
}

/** `GET /api/v1/auth/me` for `user`, signed in through the panel. */
export function buildMe(user: User = buildUser()): MeResponse {
  return meResponseSchema.parse({
    user,
    via: 'session',
    expires_at: '2025-11-28T20:00:00.000Z',
    must_change_password: false,
  });
}

/** An unbound, working, never-used key. */
export function buildApiKey(overrides: Partial<ApiKey> = {}): ApiKey {
  return apiKeySchema.parse({
    id: 1,
    name: 'nightly training pipeline',
    client_id: 'annex_ci_0001',
    project_string_id: null,
    role: null,
    created_time: '2025-11-27T10:00:00.000Z',
    last_used_time: null,
    revoked_time: null,
    ...overrides,
  });
}

/** The answer to creating `key`: it and its secret. */
export function buildCreatedApiKey(key: ApiKey, secret = 'annex_cs_topsecret_0001'): CreatedApiKey {
  return createdApiKeySchema.parse({ key, client_secret: secret });
}

/** A one-time sign-up link for `user`. */
export function buildSignUpLink(user: User): SignUpLink {
  return signUpLinkSchema.parse({
    user,
    url: `http://localhost:8080/sign-up/token-for-${user.id}-abcdefghijklmnopqrstuvwxyz`,
    expires_at: '2025-12-05T09:00:00.000Z',
  });
}

/** An active viewer of the project. */
export function buildMember(overrides: Partial<Member> = {}): Member {
  return memberSchema.parse({
    user_id: 2,
    email: 'bob@example.com',
    role: 'viewer',
    status: 'active',
    added_time: '2025-11-21T09:00:00.000Z',
    ...overrides,
  });
}

/** An audit event: the admin generated export 12 through the panel. */
export function buildAuditEvent(overrides: Partial<AuditEvent> = {}): AuditEvent {
  return auditEventSchema.parse({
    id: 1,
    time: '2025-11-28T17:40:00.000Z',
    actor_email: 'admin@annex.local',
    via: 'session',
    action: 'export_created',
    target: 'export 12',
    details: { kind: 'Annotations' },
    ip: '127.0.0.1',
    ...overrides,
  });
}

/** One page of audit events. */
export function buildAuditPage(
  events: AuditEvent[],
  nextCursor: string | null = null,
): AuditListResponse {
  return auditListResponseSchema.parse({ events, next_cursor: nextCursor });
}

const demoSummary = {
  id: 1,
  project_string_id: demoProject,
  name: 'Demo project',
  default_directory_id: 10,
};

/** `GET /api/v1/projects`: the demo project, where the requester holds `role`. */
export function buildProjectListAs(role: ProjectRole): ProjectListResponse {
  return projectListResponseSchema.parse({ projects: [{ ...demoSummary, my_role: role }] });
}

/** `GET /api/v1/projects/demo`, the requester holding `role` (directories left out: the account pages do not read them). */
export function buildProjectDetailAs(role: ProjectRole): ProjectDetailResponse {
  return projectDetailResponseSchema.parse({
    project: { ...demoSummary, my_role: role },
    directories: [],
    default_directory: null,
  });
}

/** Handlers for who is signed in: `user`, holding `role` in the demo project. */
export function signedInHandlers(role: ProjectRole, user: User = buildUser()) {
  return [
    http.get(apiPath('/auth/me'), () => jsonResponse(buildMe(user))),
    http.get(apiPath('/projects'), () => jsonResponse(buildProjectListAs(role))),
    http.get(apiPath(`/projects/${demoProject}`), () => jsonResponse(buildProjectDetailAs(role))),
  ];
}
