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

  it('keeps export files on the local disk by default and takes an s3:// bucket and prefix', () => {
    expect(loadConfig({}).EXPORT_STORAGE).toBe('local');
    expect(loadConfig({}).DOWNLOAD_MODE).toBe('annex');
    const s3 = loadConfig({
      EXPORT_STORAGE: 's3://annex-exports/team-a/',
      S3_ENDPOINT: 'http://127.0.0.1:9000',
      S3_FORCE_PATH_STYLE: 'true',
      DOWNLOAD_MODE: 'presigned',
    });
    expect(s3.EXPORT_STORAGE).toBe('s3://annex-exports/team-a/');
    expect(s3.S3_FORCE_PATH_STYLE).toBe(true);
    expect(s3.S3_REGION).toBe('us-east-1');
    expect(s3.DOWNLOAD_MODE).toBe('presigned');
  });

  it('names a bad storage location, endpoint, path-style flag or download mode', () => {
    for (const [name, value, message] of [
      ['EXPORT_STORAGE', '/var/annex', /EXPORT_STORAGE: must be "local" or s3:\/\/bucket\/prefix/],
      [
        'EXPORT_STORAGE',
        's3://Bad_Bucket/x',
        /EXPORT_STORAGE: "Bad_Bucket" is not a valid bucket name/,
      ],
      ['EXPORT_STORAGE', 's3://bucket/a/../b', /EXPORT_STORAGE: the key prefix "a\/..\/b"/],
      ['EXPORT_STORAGE', 's3://bucket/a//b', /EXPORT_STORAGE: the key prefix/],
      ['S3_ENDPOINT', 'minio:9000', /S3_ENDPOINT/],
      ['S3_FORCE_PATH_STYLE', 'yes', /S3_FORCE_PATH_STYLE/],
      ['DOWNLOAD_MODE', 'direct', /DOWNLOAD_MODE/],
    ] as const) {
      expect(() => loadConfig({ [name]: value }), `${name}=${value}`).toThrow(message);
    }
    expect(() => loadConfig({ DOWNLOAD_MODE: 'presigned' })).toThrow(
      /DOWNLOAD_MODE: presigned links need an object store: set EXPORT_STORAGE=s3:\/\/bucket\/prefix/,
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

  it('takes the operations settings (metrics token and port, shutdown grace) and names bad ones', () => {
    const defaults = loadConfig({});
    expect(defaults.METRICS_TOKEN).toBeUndefined();
    expect(defaults.METRICS_PORT).toBeUndefined();
    expect(defaults.SHUTDOWN_GRACE_MS).toBe(25_000);
    const set = loadConfig({
      METRICS_TOKEN: 'scrape-token-0123456789',
      METRICS_PORT: '9464',
      SHUTDOWN_GRACE_MS: '5000',
    });
    expect(set).toMatchObject({
      METRICS_TOKEN: 'scrape-token-0123456789',
      METRICS_PORT: 9464,
      SHUTDOWN_GRACE_MS: 5000,
    });
    expect(() => loadConfig({ METRICS_TOKEN: 'short' })).toThrow(
      /METRICS_TOKEN: must be at least 16 characters/,
    );
    expect(() => loadConfig({ METRICS_TOKEN: 'a token with spaces in it' })).toThrow(
      /METRICS_TOKEN: must not contain spaces/,
    );
    expect(() => loadConfig({ METRICS_PORT: '0' })).toThrow(/METRICS_PORT/);
    expect(() => loadConfig({ METRICS_PORT: '70000' })).toThrow(/METRICS_PORT/);
    expect(() => loadConfig({ METRICS_PORT: 'metrics' })).toThrow(/METRICS_PORT/);
    expect(() => loadConfig({ SHUTDOWN_GRACE_MS: '25s' })).toThrow(/SHUTDOWN_GRACE_MS/);
    expect(() => loadConfig({ SHUTDOWN_GRACE_MS: '10' })).toThrow(/SHUTDOWN_GRACE_MS/);
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
