import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  apiKeyListResponseSchema,
  createApiKeyRequestSchema,
  createdApiKeySchema,
  idParamsSchema,
} from '../../contract/auth.ts';
import { auditActorOf } from '../audit/audit-log.ts';
import type { ApiKeyService } from './api-key-service.ts';
import { requireUnboundPrincipal } from './principal.ts';

/** What the API key routes are built from. */
export interface ApiKeysRoutesOptions {
  keys: ApiKeyService;
}

/**
 * `/auth/api-keys`: the signed-in user's own keys, registered under `/api/v1`. A session or a key
 * that is not bound to a project may manage them; a bound key gets 403.
 */
export const apiKeysRoutes: FastifyPluginAsyncZod<ApiKeysRoutesOptions> = (app, { keys }) => {
  /** Makes a key; 201 with its secret, which is never shown again. */
  app.post(
    '/auth/api-keys',
    { schema: { body: createApiKeyRequestSchema, response: { 201: createdApiKeySchema } } },
    async (request, reply) => {
      const principal = requireUnboundPrincipal(request);
      const created = await keys.create(principal, request.body, auditActorOf(request));
      return reply.status(201).send(created);
    },
  );

  /** The user's keys, newest first, revoked ones included; never a secret. */
  app.get(
    '/auth/api-keys',
    { schema: { response: { 200: apiKeyListResponseSchema } } },
    async (request) => ({ keys: await keys.list(requireUnboundPrincipal(request)) }),
  );

  /**
   * Revokes one of the user's keys: 204, also when it was revoked already (it stays revoked since the
   * first time). Another user's key or an unknown id: 404.
   */
  app.delete(
    '/auth/api-keys/:id',
    { schema: { params: idParamsSchema } },
    async (request, reply) => {
      const principal = requireUnboundPrincipal(request);
      await keys.revoke(principal, request.params.id, auditActorOf(request));
      return reply.status(204).send();
    },
  );

  return Promise.resolve();
};
