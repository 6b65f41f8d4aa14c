import type { FastifyInstance } from 'fastify';
import type { AppConfig } from '../config/env.ts';
import type { AnnexDatabase } from '../db/database.ts';
import { AccountService } from './account-service.ts';
import { ApiKeyService } from './api-key-service.ts';
import { apiKeysRoutes } from './api-keys.routes.ts';
import { authRoutes } from './auth.routes.ts';
import type { SessionStore } from './session-store.ts';
import { SignUpService } from './sign-up-service.ts';
import { signUpRoutes } from './sign-up.routes.ts';

/** What the account routes are built from. */
export interface AccountRoutesDependencies {
  database: AnnexDatabase;
  /** The store authentication reads sessions from (installAuthentication returns it). */
  sessions: SessionStore;
  config: Pick<AppConfig, 'DATA_DIR' | 'SESSION_ABSOLUTE_HOURS'>;
}

/** Registers `/api/v1/auth/…`: sign-in and out, me, password, API keys and sign-up. */
export async function registerAccountRoutes(
  app: FastifyInstance,
  { database, sessions, config }: AccountRoutesDependencies,
): Promise<void> {
  const prefix = '/api/v1';
  const sessionAbsoluteHours = config.SESSION_ABSOLUTE_HOURS;
  const accounts = new AccountService({ database, sessions, dataDir: config.DATA_DIR });
  await app.register(authRoutes, { prefix, accounts, sessionAbsoluteHours });
  await app.register(apiKeysRoutes, { prefix, keys: new ApiKeyService(database) });
  const signUps = new SignUpService(database, sessions);
  await app.register(signUpRoutes, { prefix, signUps, sessionAbsoluteHours });
}
