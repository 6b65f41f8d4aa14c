import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../db/test-database.ts';
import type { TestDatabase } from '../db/test-database.ts';
import { seedDemoProject } from '../seed/demo-project.ts';
import { errorOf } from '../test-utils/api-responses.ts';
import { createTestApp } from '../test-utils/test-app.ts';
import type { TestApp } from '../test-utils/test-app.ts';
import { AcceptedHosts, allowedHostsList, normalizedHostName } from './host-check.ts';
import type { MachineAddresses } from './host-check.ts';

/** A machine whose interface addresses the test changes. */
function fakeMachine(addresses: string[]): MachineAddresses & { addresses: string[] } {
  return {
    addresses,
    hostname: () => 'Build-Box',
    interfaceAddresses() {
      return this.addresses;
    },
  };
}

describe('normalizedHostName', () => {
  it('drops the port, lowers the case, brackets IPv6 and drops a trailing dot', () => {
    expect(normalizedHostName('Annex.Example.COM:8443')).toBe('annex.example.com');
    expect(normalizedHostName('localhost.')).toBe('localhost');
    expect(normalizedHostName('[::1]:8080')).toBe('[::1]');
    expect(normalizedHostName('::1')).toBe('[::1]');
    expect(normalizedHostName('fe80::1%eth0')).toBe('[fe80::1]');
    expect(normalizedHostName('127.0.0.1:80')).toBe('127.0.0.1');
  });

  it('is undefined for what is not a host', () => {
    for (const bad of ['', 'a b', 'user@annex.example', 'annex.example/path', 'annex.example?x'])
      expect(normalizedHostName(bad)).toBeUndefined();
  });
});

describe('allowedHostsList', () => {
  it('reads comma-separated names, ports dropped; * means any', () => {
    expect(allowedHostsList(' annex.example.com , Other.example:8080,')).toEqual([
      'annex.example.com',
      'other.example',
    ]);
    expect(allowedHostsList(undefined)).toEqual([]);
    expect(allowedHostsList('annex.example.com,*')).toBe('any');
  });

  it('names an entry that is a URL rather than a host name', () => {
    expect(() => allowedHostsList('https://annex.example.com/')).toThrow(
      /"https:\/\/annex.example.com\/" is not a host name/,
    );
  });
});

describe('AcceptedHosts', () => {
  it('with a loopback bind: the loopback names only, any port', () => {
    const hosts = new AcceptedHosts({ HOST: '127.0.0.1' }, fakeMachine(['192.168.1.5']));
    for (const ok of ['localhost', 'localhost:8080', '127.0.0.1:80', '[::1]:8080'])
      expect(hosts.accepts(ok), ok).toBe(true);
    for (const refused of [
      'attacker.example',
      '192.168.1.5',
      'build-box',
      'localhost.attacker.example',
    ])
      expect(hosts.accepts(refused), refused).toBe(false);
  });

  it('with a specific address bound: that address too', () => {
    const hosts = new AcceptedHosts({ HOST: '10.1.2.3' }, fakeMachine([]));
    expect(hosts.accepts('10.1.2.3:8080')).toBe(true);
    expect(hosts.accepts('10.1.2.4')).toBe(false);
  });

  it('bound on every interface: their addresses and the host name, re-read when one is new', () => {
    const machine = fakeMachine(['127.0.0.1', '192.168.1.5', 'fe80::1%eth0']);
    const hosts = new AcceptedHosts({ HOST: '0.0.0.0' }, machine);
    expect(hosts.accepts('192.168.1.5:8080')).toBe(true);
    expect(hosts.accepts('[fe80::1]')).toBe(true);
    expect(hosts.accepts('build-box')).toBe(true);
    expect(hosts.accepts('10.0.0.7')).toBe(false);
    machine.addresses = [...machine.addresses, '10.0.0.7'];
    expect(hosts.accepts('10.0.0.7')).toBe(true);
    expect(hosts.accepts('attacker.example')).toBe(false);
  });

  it("PUBLIC_URL's host and ALLOWED_HOSTS; * accepts anything", () => {
    const hosts = new AcceptedHosts(
      {
        HOST: '127.0.0.1',
        PUBLIC_URL: 'https://annex.example.com/annex/',
        ALLOWED_HOSTS: 'annex.internal',
      },
      fakeMachine([]),
    );
    expect(hosts.accepts('annex.example.com')).toBe(true);
    expect(hosts.accepts('ANNEX.INTERNAL:8080')).toBe(true);
    expect(hosts.accepts('attacker.example')).toBe(false);
    const any = new AcceptedHosts({ HOST: '127.0.0.1', ALLOWED_HOSTS: '*' }, fakeMachine([]));
    expect(any.accepts('attacker.example')).toBe(true);
  });
});

describe('the Host check in the app (SQLite)', () => {
  let database: TestDatabase;
  let test: TestApp;
  beforeAll(async () => {
    database = await createTestDatabase('sqlite');
    await seedDemoProject(database);
    test = await createTestApp(database, {
      withPanel: true,
      env: { PUBLIC_URL: 'https://annex.example.com', ALLOWED_HOSTS: 'annex.internal' },
    });
  });
  afterAll(async () => {
    await test.close();
    await database.drop();
  });

  it('refuses a forged Host with a 400 naming it, on the panel, the API and download links', async () => {
    for (const [method, url] of [
      ['GET', '/'],
      ['GET', '/projects/demo/export'],
      ['GET', '/api/v1/projects'],
      ['POST', '/api/v1/projects/demo/exports'],
      ['GET', '/files/exports/1?expires=1&signature=x'],
      ['GET', '/nowhere'],
    ] as const) {
      const response = await test.app.inject({
        method,
        url,
        headers: { host: 'attacker.example' },
      });
      expect(response.statusCode, `${method} ${url}`).toBe(400);
      const error = errorOf(response);
      expect(error.code).toBe('bad_request');
      expect(error.message).toContain('"attacker.example"');
      expect(error.message).toContain('ALLOWED_HOSTS');
    }
  });

  it('answers health probes whatever the Host (orchestrators call the pod address)', async () => {
    for (const url of ['/healthz', '/livez', '/readyz']) {
      const response = await test.app.inject({ url, headers: { host: '10.244.3.17:8080' } });
      expect(response.statusCode, url).toBe(200);
    }
  });

  it('answers localhost, PUBLIC_URL host and ALLOWED_HOSTS, on any port', async () => {
    for (const host of [
      'localhost:80',
      '127.0.0.1:8080',
      'annex.example.com',
      'annex.internal:3000',
    ]) {
      const response = await test.app.inject({ url: '/api/v1/projects', headers: { host } });
      expect(response.statusCode, host).toBe(200);
    }
  });
});
