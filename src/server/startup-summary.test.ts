import { describe, expect, it } from 'vitest';
import { describeDatabase, startupLines } from './startup-summary.ts';

describe('startupLines', () => {
  it('says where annex serves, on which database and folder, with which services', () => {
    expect(
      startupLines({
        address: 'http://127.0.0.1:8080',
        panelBuilt: true,
        databaseUrl: 'sqlite:data/annex.db',
        dataDir: './data',
        services: ['api', 'worker'],
        workerId: 'worker-1-abcd',
      }),
    ).toEqual([
      'annex is running',
      '  panel and API  http://127.0.0.1:8080',
      '  database       SQLite at ./data/annex.db',
      '  data folder    ./data',
      '  services       api, worker',
    ]);
  });

  it('names the bucket when export files go to an object store (and nothing for the local disk)', () => {
    const lines = startupLines({
      address: 'http://127.0.0.1:8080',
      panelBuilt: true,
      databaseUrl: 'postgres://annex@db:5432/annex',
      dataDir: './data',
      storage: 's3://annex-exports/team-a/',
      services: ['api'],
    });
    expect(lines).toContainEqual(
      expect.stringMatching(/^ {2}export storage +s3:\/\/annex-exports\/team-a\/$/),
    );
    const local = startupLines({
      panelBuilt: true,
      databaseUrl: 'sqlite:data/annex.db',
      dataDir: './data',
      storage: '/srv/annex/data/exports',
      services: ['api'],
    });
    expect(local.join('\n')).not.toContain('export storage');
  });

  it('says what to run when the panel is not built', () => {
    const lines = startupLines({
      address: 'http://127.0.0.1:8080',
      panelBuilt: false,
      databaseUrl: 'sqlite:/tmp/a.db',
      dataDir: '/tmp',
      services: ['api'],
    });

    expect(lines[1]).toBe(
      '  API          http://127.0.0.1:8080 (the panel is not built: run "npm run build:web")',
    );
  });

  it('a worker-only process says it is building exports, and serves no URL', () => {
    const lines = startupLines({
      panelBuilt: false,
      databaseUrl: 'postgres://annex@db.local:5433/annex',
      dataDir: '/srv/annex',
      services: ['worker'],
      workerId: 'worker-7-beef',
    });

    expect(lines).toEqual([
      'annex worker worker-7-beef is building exports',
      '  database     PostgreSQL annex on db.local:5433 as annex',
      '  data folder  /srv/annex',
      '  services     worker',
    ]);
  });

  it('says where METRICS_PORT serves /metrics, when set', () => {
    const lines = startupLines({
      panelBuilt: false,
      databaseUrl: 'postgres://annex@db.local:5433/annex',
      dataDir: '/srv/annex',
      services: ['worker'],
      workerId: 'worker-7-beef',
      metricsAddress: 'http://0.0.0.0:9464',
    });

    expect(lines.at(-1)).toBe('  metrics      http://0.0.0.0:9464/metrics');
  });
});

describe('startupLines on a first start', () => {
  const base = {
    address: 'http://127.0.0.1:8080',
    panelBuilt: true,
    databaseUrl: 'sqlite:data/annex.db',
    dataDir: './data',
    services: ['api', 'worker'],
  };

  it('prints a generated first password with the URL to sign in at, and where it is kept', () => {
    const lines = startupLines({
      ...base,
      firstAdmin: {
        email: 'admin@annex.local',
        generatedPassword: 'k7mq2-abcde-fghjk-mnpqr-stuvw',
        passwordFile: 'data/initial-admin-password',
      },
    });

    expect(lines.slice(5)).toEqual([
      '',
      'First start: created the instance admin. Sign in at http://127.0.0.1:8080 with',
      '  email     admin@annex.local',
      '  password  k7mq2-abcde-fghjk-mnpqr-stuvw',
      'This password is printed only this once. It is kept in ./data/initial-admin-password until you change it (do, once signed in).',
    ]);
  });

  it('names the admin but no password when ANNEX_ADMIN_PASSWORD set it', () => {
    const text = startupLines({ ...base, firstAdmin: { email: 'ops@example.com' } }).join('\n');

    expect(text).toContain(
      'First start: created the instance admin ops@example.com with the password ANNEX_ADMIN_PASSWORD gives.',
    );
    expect(text).toContain('Sign in at http://127.0.0.1:8080 as ops@example.com.');
    expect(text).not.toMatch(/password {2}/);
  });

  it('says nothing of an admin on a later start', () => {
    expect(startupLines(base).join('\n')).not.toContain('First start');
  });
});

describe('describeDatabase', () => {
  it('never shows a PostgreSQL password', () => {
    const text = describeDatabase('postgresql://annex:s3cret%21@127.0.0.1/annex_prod');

    expect(text).toBe('PostgreSQL annex_prod on 127.0.0.1:5432 as annex');
    expect(text).not.toContain('s3cret');
  });

  it('names a SQLite file given bare or with sqlite:', () => {
    expect(describeDatabase('sqlite:./data/annex.db')).toBe('SQLite at ./data/annex.db');
    expect(describeDatabase('/var/lib/annex.db')).toBe('SQLite at /var/lib/annex.db');
  });
});
