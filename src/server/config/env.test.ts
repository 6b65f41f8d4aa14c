import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './env.ts';

describe('loadConfig', () => {
  it('defaults to an embedded SQLite database under the data folder on 127.0.0.1:8080', () => {
    const config = loadConfig({});
    expect(config.HOST).toBe('127.0.0.1');
    expect(config.PORT).toBe(8080);
    expect(config.DATABASE_URL).toBe('sqlite:data/annex.db');
    expect(config.SEED_DEMO).toBe(true);
  });

  it('names every bad variable in one error', () => {
    const load = () =>
      loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', LINK_TTL_MINUTES: '0' });
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(
      /PORT[\s\S]*DATABASE_URL[\s\S]*LINK_TTL_MINUTES|PORT[\s\S]*LINK_TTL_MINUTES[\s\S]*DATABASE_URL/,
    );
  });

  it('accepts a PostgreSQL URL', () => {
    expect(
      loadConfig({ DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/test' }).DATABASE_URL,
    ).toBe('postgres://postgres@127.0.0.1:5432/test');
  });

  it('takes the import size limit in bytes, 10 GiB by default, and names a bad one', () => {
    expect(loadConfig({}).IMPORT_MAX_BYTES).toBe(10 * 1024 ** 3);
    expect(loadConfig({ IMPORT_MAX_BYTES: '1048576' }).IMPORT_MAX_BYTES).toBe(1_048_576);
    expect(() => loadConfig({ IMPORT_MAX_BYTES: '10GB' })).toThrow(/IMPORT_MAX_BYTES/);
    expect(() => loadConfig({ IMPORT_MAX_BYTES: '0' })).toThrow(/IMPORT_MAX_BYTES/);
    expect(loadConfig({}).IMPORT_MAX_PACKET_BYTES).toBe(64 * 1024 ** 2);
    expect(loadConfig({ IMPORT_MAX_PACKET_BYTES: '1048576' }).IMPORT_MAX_PACKET_BYTES).toBe(
      1_048_576,
    );
    expect(() => loadConfig({ IMPORT_MAX_PACKET_BYTES: '64MB' })).toThrow(
      /IMPORT_MAX_PACKET_BYTES/,
    );
  });

  it('keeps exports for ever unless a retention is set, and names a bad retention setting', () => {
    const defaults = loadConfig({});
    expect(defaults.EXPORT_RETENTION_DAYS).toBeUndefined();
    expect(defaults.EXPORT_KEEP_PER_SOURCE).toBeUndefined();
    expect(defaults.EXPORT_RETENTION_SWEEP_MINUTES).toBe(60);
    const set = loadConfig({
      EXPORT_RETENTION_DAYS: '30',
      EXPORT_KEEP_PER_SOURCE: '5',
      EXPORT_RETENTION_SWEEP_MINUTES: '15',
    });
    expect(set.EXPORT_RETENTION_DAYS).toBe(30);
    expect(set.EXPORT_KEEP_PER_SOURCE).toBe(5);
    expect(set.EXPORT_RETENTION_SWEEP_MINUTES).toBe(15);
    for (const [name, value] of [
      ['EXPORT_RETENTION_DAYS', '0'],
      ['EXPORT_RETENTION_DAYS', '30d'],
      ['EXPORT_RETENTION_DAYS', '1.5'],
      ['EXPORT_RETENTION_DAYS', ''],
      ['EXPORT_KEEP_PER_SOURCE', '0'],
      ['EXPORT_KEEP_PER_SOURCE', '-3'],
      ['EXPORT_KEEP_PER_SOURCE', 'all'],
      ['EXPORT_RETENTION_SWEEP_MINUTES', '0'],
      ['EXPORT_RETENTION_SWEEP_MINUTES', 'hourly'],
      ['EXPORT_RETENTION_SWEEP_MINUTES', '20000'],
    ] as const) {
      const load = () => loadConfig({ [name]: value });
      expect(load, `${name}=${value}`).toThrow(ConfigError);
      expect(load, `${name}=${value}`).toThrow(`${name}: `);
    }
  });
});
