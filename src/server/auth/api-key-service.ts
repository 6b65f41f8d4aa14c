import type { Kysely } from 'kysely';
import type { ApiKey, CreateApiKeyRequest, CreatedApiKey } from '../../contract/auth.ts';
import { roleAtLeast } from '../../contract/roles.ts';
import type { ProjectRole } from '../../contract/roles.ts';
import type { AuditActor } from '../audit/audit-log.ts';
import { recordAudit } from '../audit/audit-log.ts';
import type { AnnexDatabase } from '../db/database.ts';
import type { Database } from '../db/schema.ts';
import { ApiError, notFound } from '../http/api-error.ts';
import { requireProject } from '../projects/project-lookup.ts';
import type { Principal } from './principal.ts';
import { newClientId, newSecret, secretHash } from './secret-tokens.ts';

// A user's own API keys: made (the secret shown once), listed, revoked. A key bound to a project
// never reaches past it and never does more than its user may there; who may manage keys at all
// (a session or an unbound key) is the routes' guard.

function keysWithProject(db: Kysely<Database>) {
  return db
    .selectFrom('api_key')
    .leftJoin('project', 'project.id', 'api_key.project_id')
    .select([
      'api_key.id',
      'api_key.name',
      'api_key.client_id',
      'project.project_string_id',
      'api_key.role',
      'api_key.created_time',
      'api_key.last_used_time',
      'api_key.revoked_time',
    ]);
}

/** Making, listing and revoking one's own keys. */
export class ApiKeyService {
  constructor(private readonly database: AnnexDatabase) {}

  /**
   * Makes a key for the principal's user. A `project_string_id` must name a project they may see
   * (else the 404 of any hidden project); a `role` may not exceed theirs there (else 403 naming both).
   */
  async create(
    principal: Principal,
    request: CreateApiKeyRequest,
    actor: AuditActor,
  ): Promise<CreatedApiKey> {
    const { db } = this.database;
    let projectId: number | null = null;
    if (request.project_string_id !== undefined) {
      const project = await requireProject(this.database, request.project_string_id, principal);
      projectId = project.id;
      if (request.role !== undefined && !roleAtLeast(project.my_role, request.role))
        throw roleExceeded(project.project_string_id, project.my_role, request.role);
    }
    const clientSecret = newSecret();
    const clientId = newClientId();
    const inserted = await db
      .insertInto('api_key')
      .values({
        user_id: principal.user.id,
        name: request.name,
        client_id: clientId,
        secret_hash: secretHash(clientSecret),
        project_id: projectId,
        role: request.role ?? null,
        created_time: new Date().toISOString(),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const key = await this.read(inserted.id);
    await recordAudit(db, actor, {
      action: 'api_key_created',
      projectId,
      target: `API key ${key.client_id}`,
      details: auditDetails(key),
    });
    return { key, client_secret: clientSecret };
  }

  /** The principal's user's keys, newest first, revoked ones included. */
  async list(principal: Principal): Promise<ApiKey[]> {
    return keysWithProject(this.database.db)
      .where('api_key.user_id', '=', principal.user.id)
      .orderBy('api_key.id', 'desc')
      .execute();
  }

  /**
   * Revokes one of the principal's user's keys; another user's key or an unknown id is a 404.
   * Revoking a revoked key changes nothing and succeeds (the key stays revoked since its first time).
   */
  async revoke(principal: Principal, id: number, actor: AuditActor): Promise<void> {
    const { db } = this.database;
    const key = await keysWithProject(db)
      .select('api_key.project_id')
      .where('api_key.id', '=', id)
      .where('api_key.user_id', '=', principal.user.id)
      .executeTakeFirst();
    if (key === undefined) throw notFound(`API key ${id}`, { id });
    const revoked = await db
      .updateTable('api_key')
      .set({ revoked_time: new Date().toISOString() })
      .where('id', '=', id)
      .where('revoked_time', 'is', null)
      .executeTakeFirst();
    if (revoked.numUpdatedRows === 0n) return;
    await recordAudit(db, actor, {
      action: 'api_key_revoked',
      projectId: key.project_id,
      target: `API key ${key.client_id}`,
      details: auditDetails(key),
    });
  }

  private async read(id: number): Promise<ApiKey> {
    return keysWithProject(this.database.db).where('api_key.id', '=', id).executeTakeFirstOrThrow();
  }
}

function auditDetails(key: ApiKey): Record<string, unknown> {
  return {
    name: key.name,
    client_id: key.client_id,
    project: key.project_string_id,
    role: key.role,
  };
}

function roleExceeded(projectStringId: string, role: ProjectRole, asked: ProjectRole): ApiError {
  return new ApiError(
    'forbidden',
    `Your role in project "${projectStringId}" is ${role}, so a key there may be at most ${role}; this one asked for ${asked}. Create it with role ${role} or lower.`,
    { role, requested: asked },
  );
}
