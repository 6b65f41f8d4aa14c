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
