import { z } from 'zod';
import { projectNameMaxLength, projectStringIdSchema } from './projects.ts';
import { nameTextSchema, pageQueryFields, textIdSchema } from './request-fields.ts';
import { projectRoleSchema } from './roles.ts';

// Who may do what: accounts, sessions, API keys, project members, sign-up links and the audit trail,
// as the API sends and receives them. Server, panel and SDK all read these shapes.

/** Longest email annex stores (RFC 5321's path limit). */
export const emailMaxLength = 254;
/** Shortest password annex accepts. */
export const passwordMinLength = 10;
/** Longest password annex accepts (a hash of a megabyte is a denial of service, not a password). */
export const passwordMaxLength = 200;
/** Longest name of an API key. */
export const apiKeyNameMaxLength = 100;

/** An email as a request carries it: trimmed, lower-cased, at most 254 characters. */
export const emailSchema = z
  .string()
  .trim()
  .max(emailMaxLength)
  .pipe(z.email('must be an email address'))
  .transform((email) => email.toLowerCase());

/** A new password: 10 to 200 characters. */
export const newPasswordSchema = z
  .string()
  .min(passwordMinLength, `must be at least ${passwordMinLength} characters`)
  .max(passwordMaxLength, `must be at most ${passwordMaxLength} characters`);

/** A password being checked: any non-empty text up to the longest accepted. */
const givenPasswordSchema = z.string().min(1).max(passwordMaxLength);

/** A user as the API shows them. */
export const userSchema = z.object({
  /** Numeric id. */
  id: z.number().int(),
  /** Their email, lower case; what they sign in with. */
  email: z.string(),
  /** May create users and projects, and administers every project. */
  is_instance_admin: z.boolean(),
  /** `active` once a password is set; `invited` while a sign-up link is outstanding; `disabled` when an instance admin turned them off. */
  status: z.enum(['active', 'invited', 'disabled']),
  /** When the account was made (ISO-8601). */
  created_time: z.string(),
});
/** A user as the API shows them. */
export type User = z.infer<typeof userSchema>;

/** `POST /api/v1/auth/sign-in`. */
export const signInRequestSchema = z.strictObject({
  email: emailSchema,
  password: givenPasswordSchema,
});
/** `POST /api/v1/auth/sign-in`. */
export type SignInRequest = z.input<typeof signInRequestSchema>;

/** Who is signed in and how: `GET /api/v1/auth/me`, and the answer to sign-in and sign-up. */
export const meResponseSchema = z.object({
  /** The signed-in user. */
  user: userSchema,
  /** `session` (the panel's cookie) or `api_key` (HTTP Basic). */
  via: z.enum(['session', 'api_key']),
  /** When the session ends unless renewed by use (idle expiry), or null for an API key. */
  expires_at: z.string().nullable(),
  /** The user still signs in with a generated first password and should change it. */
  must_change_password: z.boolean(),
});
/** Who is signed in and how. */
export type MeResponse = z.infer<typeof meResponseSchema>;

/** `POST /api/v1/auth/password`: change your own password (ends your other sessions). */
export const changePasswordRequestSchema = z.strictObject({
  current_password: givenPasswordSchema,
  new_password: newPasswordSchema,
});
/** `POST /api/v1/auth/password`. */
export type ChangePasswordRequest = z.input<typeof changePasswordRequestSchema>;

/** An API key as listed (never its secret). */
export const apiKeySchema = z.object({
  /** Numeric id, for revoking. */
  id: z.number().int(),
  /** A name its owner gave it ("nightly training pipeline"). */
  name: z.string(),
  /** The public half, sent as the Basic auth user name (Diffgram's `client_id`). */
  client_id: z.string(),
  /** The project it is bound to, or null for every project its user is a member of. */
  project_string_id: z.string().nullable(),
  /** The most it may do in its project, never more than its user; null when unbound (the user's own role). */
  role: projectRoleSchema.nullable(),
  created_time: z.string(),
  /** The last request it authenticated, or null when never used. */
  last_used_time: z.string().nullable(),
  /** When it was revoked, or null while it works. */
  revoked_time: z.string().nullable(),
});
/** An API key as listed. */
export type ApiKey = z.infer<typeof apiKeySchema>;

/** `POST /api/v1/auth/api-keys`. */
export const createApiKeyRequestSchema = z
  .strictObject({
    name: nameTextSchema(apiKeyNameMaxLength),
    /** Bind the key to one project (it sees no other). */
    project_string_id: projectStringIdSchema.optional(),
    /** The most the key may do there; at most the user's own role. Needs `project_string_id`. */
    role: projectRoleSchema.optional(),
  })
  .refine((body) => body.role === undefined || body.project_string_id !== undefined, {
    error: 'role needs project_string_id: a key only has a role in the project it is bound to',
    path: ['role'],
  });
/** `POST /api/v1/auth/api-keys`. */
export type CreateApiKeyRequest = z.input<typeof createApiKeyRequestSchema>;

/** The answer to creating a key: the only time its secret is shown. */
export const createdApiKeySchema = z.object({
  key: apiKeySchema,
  /** The secret half (Diffgram's `client_secret`); stored hashed, never shown again. */
  client_secret: z.string(),
});
/** The answer to creating a key. */
export type CreatedApiKey = z.infer<typeof createdApiKeySchema>;

/** `GET /api/v1/auth/api-keys`: the signed-in user's keys, newest first, revoked ones included. */
export const apiKeyListResponseSchema = z.object({ keys: z.array(apiKeySchema) });
/** `GET /api/v1/auth/api-keys`. */
export type ApiKeyListResponse = z.infer<typeof apiKeyListResponseSchema>;

/** `:id` of a key, member or user path. */
export const idParamsSchema = z.strictObject({ id: textIdSchema });

/** `GET /api/v1/users` (instance admin). */
export const userListResponseSchema = z.object({ users: z.array(userSchema) });
/** `GET /api/v1/users`. */
export type UserListResponse = z.infer<typeof userListResponseSchema>;

/** `POST /api/v1/users` (instance admin): a new account, signed up through a link. */
export const createUserRequestSchema = z.strictObject({
  email: emailSchema,
  is_instance_admin: z.boolean().default(false),
});
/** `POST /api/v1/users`. */
export type CreateUserRequest = z.input<typeof createUserRequestSchema>;

/** `PATCH /api/v1/users/:id` (instance admin): turn an account off or on, or change instance admin. */
export const updateUserRequestSchema = z
  .strictObject({
    disabled: z.boolean().optional(),
    is_instance_admin: z.boolean().optional(),
  })
  .refine((body) => body.disabled !== undefined || body.is_instance_admin !== undefined, {
    error: 'send disabled or is_instance_admin',
  });
/** `PATCH /api/v1/users/:id`. */
export type UpdateUserRequest = z.input<typeof updateUserRequestSchema>;

/** A one-time sign-up link, to hand to its user (annex sends no mail). */
export const signUpLinkSchema = z.object({
  /** The user it is for. */
  user: userSchema,
  /** Absolute URL of the panel's sign-up page holding the token. */
  url: z.string(),
  /** When it stops working (ISO-8601). */
  expires_at: z.string(),
});
/** A one-time sign-up link. */
export type SignUpLink = z.infer<typeof signUpLinkSchema>;

/** A sign-up token as the link carries it. */
export const signUpTokenSchema = z
  .string()
  .regex(/^[A-Za-z0-9_-]{20,100}$/, 'must be the token of a sign-up link');

/** `GET /api/v1/auth/sign-up/:token`: whose link it is, before they pick a password. */
export const signUpTokenParamsSchema = z.strictObject({ token: signUpTokenSchema });
/** `GET /api/v1/auth/sign-up/:token`. */
export const signUpInfoSchema = z.object({ email: z.string(), expires_at: z.string() });
/** `GET /api/v1/auth/sign-up/:token`. */
export type SignUpInfo = z.infer<typeof signUpInfoSchema>;

/** `POST /api/v1/auth/sign-up`: set a password with a link's token; signs in. */
export const signUpRequestSchema = z.strictObject({
  token: signUpTokenSchema,
  password: newPasswordSchema,
});
/** `POST /api/v1/auth/sign-up`. */
export type SignUpRequest = z.input<typeof signUpRequestSchema>;

/** A project member. */
export const memberSchema = z.object({
  /** The user's id (the `:id` of member paths). */
  user_id: z.number().int(),
  email: z.string(),
  role: projectRoleSchema,
  /** The user's account status: an invited member cannot sign in yet. */
  status: userSchema.shape.status,
  /** When they were added (ISO-8601). */
  added_time: z.string(),
});
/** A project member. */
export type Member = z.infer<typeof memberSchema>;

/** `GET /api/v1/projects/:project/members` (project admin). */
export const memberListResponseSchema = z.object({ members: z.array(memberSchema) });
/** `GET /api/v1/projects/:project/members`. */
export type MemberListResponse = z.infer<typeof memberListResponseSchema>;

/** `POST /api/v1/projects/:project/members`: add an existing user by email. */
export const addMemberRequestSchema = z.strictObject({
  email: emailSchema,
  role: projectRoleSchema,
});
/** `POST /api/v1/projects/:project/members`. */
export type AddMemberRequest = z.input<typeof addMemberRequestSchema>;

/** `PATCH /api/v1/projects/:project/members/:id`: change a member's role. */
export const updateMemberRequestSchema = z.strictObject({ role: projectRoleSchema });
/** `PATCH /api/v1/projects/:project/members/:id`. */
export type UpdateMemberRequest = z.input<typeof updateMemberRequestSchema>;

/** `:project` and `:id` (a user id) of a member path. */
export const memberParamsSchema = z.strictObject({
  project: projectStringIdSchema,
  id: textIdSchema,
});

/** What the audit trail records. */
export const auditActions = [
  'sign_in',
  'sign_in_failed',
  'sign_out',
  'password_changed',
  'user_created',
  'user_updated',
  'sign_up_link_created',
  'signed_up',
  'api_key_created',
  'api_key_revoked',
  'member_added',
  'member_role_changed',
  'member_removed',
  'project_created',
  'export_created',
  'export_link_issued',
  'export_downloaded',
  'export_archived',
  'export_cancelled',
  'export_retried',
  'import_started',
] as const;
/** What the audit trail records. */
export type AuditAction = (typeof auditActions)[number];

/** One audit event. */
export const auditEventSchema = z.object({
  id: z.number().int(),
  /** When (ISO-8601). */
  time: z.string(),
  /** Who, by email; null when nobody was signed in (a failed sign-in names the email tried in `details`). */
  actor_email: z.string().nullable(),
  /** How they were signed in; `retention` when annex itself archived an old export (no actor); or null. */
  via: z.enum(['session', 'api_key', 'retention']).nullable(),
  action: z.enum(auditActions),
  /** What it was done to, in words (`export 12`, `member bob@example.com`). */
  target: z.string().nullable(),
  /** Anything else worth keeping (the role given, the key's name). */
  details: z.record(z.string(), z.unknown()),
  /** The client address the request came from. */
  ip: z.string().nullable(),
});
/** One audit event. */
export type AuditEvent = z.infer<typeof auditEventSchema>;

/** `GET /api/v1/projects/:project/audit` and `GET /api/v1/audit`: newest first, in cursor pages. */
export const auditQuerySchema = z.strictObject({
  ...pageQueryFields,
  action: z.enum(auditActions).optional(),
});
/** `GET /api/v1/projects/:project/audit`. */
export const auditListResponseSchema = z.object({
  events: z.array(auditEventSchema),
  /** Pass as `cursor` for the next page; null on the last. */
  next_cursor: z.string().nullable(),
});
/** `GET /api/v1/projects/:project/audit`. */
export type AuditListResponse = z.infer<typeof auditListResponseSchema>;

/** `POST /api/v1/projects` (instance admin): a new project with a default directory; its creator is its admin. */
export const createProjectRequestSchema = z.strictObject({
  project_string_id: z
    .string()
    .regex(
      /^[a-z0-9][a-z0-9-]{0,62}$/,
      'must be 1 to 63 lower-case letters, digits or dashes, starting with a letter or digit',
    ),
  name: nameTextSchema(projectNameMaxLength),
});
/** `POST /api/v1/projects`. */
export type CreateProjectRequest = z.input<typeof createProjectRequestSchema>;
