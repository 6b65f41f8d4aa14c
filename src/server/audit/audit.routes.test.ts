import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditListResponseSchema } from '../../contract/auth.ts';
import type { AuditEvent } from '../../contract/auth.ts';
import { testDialects } from '../db/test-database.ts';
import { addAlphaTeam, createAccountsTestEnv } from '../test-utils/accounts-test-env.ts';
import type { AccountsTestEnv } from '../test-utils/accounts-test-env.ts';
import { errorOf, fieldsOf } from '../test-utils/api-responses.ts';
import { addTestAccount } from '../test-utils/test-accounts.ts';
import type { TestAccount } from '../test-utils/test-accounts.ts';
import { recordAudit } from './audit-log.ts';

// Reading the audit trail: a project's admins read their project's events, instance admins every
// event; newest first, in pages that follow `next_cursor`, optionally one action only. Nobody reads
// another project's events through their own.

const nobody = { principal: null, ip: '192.0.2.7' };

describe.each(testDialects)('audit routes on %s', (dialect) => {
  let env: AccountsTestEnv;
  let alphaAdmin: TestAccount;
  let alphaEditor: TestAccount;
  /** Viewer of alpha, admin of beta. */
  let vera: TestAccount;
  let outsider: TestAccount;

  async function read(url: string, headers?: Record<string, string>) {
    return env.app.inject({ method: 'GET', url, ...(headers && { headers }) });
  }

  async function allPages(url: string, headers?: Record<string, string>): Promise<AuditEvent[]> {
    const events: AuditEvent[] = [];
    let cursor: string | null = null;
    const separator = url.includes('?') ? '&' : '?';
    for (let page = 0; page < 100; page += 1) {
      const response = await read(
        cursor === null ? url : `${url}${separator}cursor=${cursor}`,
        headers,
      );
      expect(response.statusCode).toBe(200);
      const body = auditListResponseSchema.parse(response.json());
      events.push(...body.events);
      cursor = body.next_cursor;
      if (cursor === null) return events;
    }
    throw new Error('the pages never ended');
  }

  beforeAll(async () => {
    env = await createAccountsTestEnv(dialect);
    ({ alphaAdmin, alphaEditor, alphaViewer: vera } = await addAlphaTeam(env));
    outsider = await addTestAccount(env.database.db);
    // Interleaved, so a page of one project's events has the other's ids in between.
    for (let index = 0; index < 7; index += 1) {
      await recordAudit(env.database.db, nobody, {
        action: index % 2 === 0 ? 'export_created' : 'export_archived',
        projectId: env.alpha,
        target: `export ${index}`,
        details: { source: 'directory' },
      });
      await recordAudit(env.database.db, nobody, {
        action: 'export_created',
        projectId: env.beta,
        target: `export ${100 + index}`,
      });
    }
    await recordAudit(env.database.db, nobody, {
      action: 'sign_in_failed',
      details: { email: 'mallory@example.com' },
    });
  });
  afterAll(async () => {
    await env.close();
  });

  it('gives a project admin their project’s events, newest first, with who, how, what and from where', async () => {
    const member = await addTestAccount(env.database.db, { email: 'mo@example.com' });
    const added = await env.app.inject({
      method: 'POST',
      url: '/api/v1/projects/alpha/members',
      headers: alphaAdmin.headers,
      payload: { email: member.email, role: 'viewer' },
    });
    expect(added.statusCode).toBe(201);

    const response = await read('/api/v1/projects/alpha/audit', alphaAdmin.headers);
    expect(response.statusCode).toBe(200);
    const { events, next_cursor } = auditListResponseSchema.parse(response.json());
    expect(next_cursor).toBeNull();
    expect(events).toHaveLength(8);
    expect(events[0]).toMatchObject({
      actor_email: 'alice@example.com',
      via: 'api_key',
      action: 'member_added',
      target: 'member mo@example.com',
      details: { role: 'viewer' },
      ip: '127.0.0.1',
    });
    expect(Number.isNaN(Date.parse(events[0]?.time ?? ''))).toBe(false);
    expect(events[1]).toMatchObject({
      actor_email: null,
      via: null,
      action: 'export_created',
      target: 'export 6',
      details: { source: 'directory' },
      ip: '192.0.2.7',
    });
    const ids = events.map((event) => event.id);
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    // Only alpha's: no beta export, no instance-wide event.
    expect(events.every((event) => !/export 1\d\d/.test(event.target ?? ''))).toBe(true);
    expect(events.some((event) => event.action === 'sign_in_failed')).toBe(false);
  });

  it('pages newest first through next_cursor, every event once', async () => {
    const whole = auditListResponseSchema.parse(
      (await read('/api/v1/projects/alpha/audit?limit=100')).json(),
    ).events;
    const first = auditListResponseSchema.parse(
      (await read('/api/v1/projects/alpha/audit?limit=3')).json(),
    );
    expect(first.events).toEqual(whole.slice(0, 3));
    expect(first.next_cursor).toBe(String(whole[2]?.id));
    const paged = await allPages('/api/v1/projects/alpha/audit?limit=3');
    expect(paged).toEqual(whole);
    // A page asked with the last page's cursor but after a new event still starts where it left off.
    await recordAudit(env.database.db, nobody, { action: 'export_archived', projectId: env.alpha });
    const second = auditListResponseSchema.parse(
      (await read(`/api/v1/projects/alpha/audit?limit=3&cursor=${first.next_cursor ?? ''}`)).json(),
    );
    expect(second.events).toEqual(whole.slice(3, 6));
  });

  it('filters by action, across pages', async () => {
    const archived = await allPages('/api/v1/projects/alpha/audit?action=export_archived&limit=2');
    expect(archived.length).toBeGreaterThanOrEqual(3);
    expect(archived.every((event) => event.action === 'export_archived')).toBe(true);
    const none = auditListResponseSchema.parse(
      (await read('/api/v1/projects/alpha/audit?action=api_key_revoked')).json(),
    );
    expect(none).toEqual({ events: [], next_cursor: null });
  });

  it('gives an instance admin every event, every project’s and instance-wide ones', async () => {
    const events = await allPages('/api/v1/audit?limit=5');
    expect(events.some((event) => event.target === 'export 0')).toBe(true);
    expect(events.some((event) => event.target === 'export 106')).toBe(true);
    const failed = await allPages('/api/v1/audit?action=sign_in_failed');
    expect(failed).toHaveLength(1);
    expect(failed[0]?.details).toEqual({ email: 'mallory@example.com' });
  });

  it('never shows a viewer or editor another project’s events, nor their own project’s', async () => {
    // Vera administers beta: beta's trail holds beta's events only.
    const betaEvents = await allPages('/api/v1/projects/beta/audit', vera.headers);
    expect(betaEvents.length).toBeGreaterThanOrEqual(7);
    expect(betaEvents.every((event) => /^export 1\d\d$/.test(event.target ?? ''))).toBe(true);
    for (const account of [vera, alphaEditor]) {
      const response = await read('/api/v1/projects/alpha/audit', account.headers);
      expect(response.statusCode).toBe(403);
      expect(errorOf(response).message).toContain('reading the audit trail needs admin');
      const everything = await read('/api/v1/audit', account.headers);
      expect(everything.statusCode).toBe(403);
    }
    const forged = await read('/api/v1/projects/beta/audit?cursor=1000', alphaEditor.headers);
    expect(forged.statusCode).toBe(404);
  });

  it('answers 404 to a non-member and for an unknown project, 401 to nobody', async () => {
    const outside = await read('/api/v1/projects/alpha/audit', outsider.headers);
    expect(outside.statusCode).toBe(404);
    expect(errorOf(outside).message).toBe('Project "alpha" was not found.');
    expect((await read('/api/v1/projects/nowhere/audit')).statusCode).toBe(404);
    for (const url of ['/api/v1/projects/alpha/audit', '/api/v1/audit']) {
      const anonymous = await env.anonymousApp.inject({ method: 'GET', url });
      expect(anonymous.statusCode).toBe(401);
    }
  });

  it('answers 403 for the instance-wide trail to a project admin and to an instance admin’s bound key', async () => {
    const boundKey = await addTestAccount(env.database.db, {
      instanceAdmin: true,
      key: { projectId: env.alpha, role: 'admin' },
    });
    for (const account of [alphaAdmin, boundKey]) {
      const response = await read('/api/v1/audit', account.headers);
      expect(response.statusCode).toBe(403);
    }
    // The bound key still reads its own project's trail: its account administers every project.
    expect((await read('/api/v1/projects/alpha/audit', boundKey.headers)).statusCode).toBe(200);
    expect((await read('/api/v1/projects/beta/audit', boundKey.headers)).statusCode).toBe(404);
  });

  it.each([
    ['action=nope', 'query.action'],
    ['cursor=abc', 'query.cursor'],
    ['cursor=-1', 'query.cursor'],
    ['limit=0', 'query.limit'],
    ['limit=101', 'query.limit'],
    ['since=yesterday', 'query.since'],
  ])('answers 400 naming the field for ?%s', async (query, field) => {
    for (const url of [`/api/v1/projects/alpha/audit?${query}`, `/api/v1/audit?${query}`]) {
      const response = await read(url);
      expect(response.statusCode).toBe(400);
      expect(fieldsOf(response)).toContain(field);
    }
  });
});
