import path from 'node:path';

/** What annex started with, for the lines `npm start` prints once it is up. */
export interface StartupSummary {
  /** Where the API (and the panel) listen; undefined for a worker-only process. */
  address?: string | undefined;
  /** Whether the built panel is served beside the API. */
  panelBuilt: boolean;
  /** DATABASE_URL; only its dialect, host, database name and user are shown, never a password. */
  databaseUrl: string;
  /** DATA_DIR as configured. */
  dataDir: string;
  /** Where export files go: the exports folder, or `s3://bucket/prefix`. */
  storage?: string;
  /** The services this process runs, in the order given. */
  services: readonly string[];
  /** The worker's id, when this process runs the worker. */
  workerId?: string | undefined;
  /** Where METRICS_PORT serves `/metrics` (`http://host:port`), when set. */
  metricsAddress?: string | undefined;
  /** The instance admin this start created (the first start only); its generated password is printed here and nowhere else. */
  firstAdmin?: FirstAdminNotice | undefined;
}

/** The instance admin a first start created, for the summary to tell the person who started annex. */
export interface FirstAdminNotice {
  email: string;
  /** The generated password; undefined when ANNEX_ADMIN_PASSWORD set it. */
  generatedPassword?: string | undefined;
  /** Where the generated password is kept until it is changed. */
  passwordFile?: string | undefined;
}

// A relative path reads as one ("./data", not "data") so nobody looks for it in the root.
function displayPath(value: string): string {
  if (path.isAbsolute(value) || value.startsWith('.')) return value;
  return `.${path.sep}${value}`;
}

/** The database in words: `SQLite at ./data/annex.db` or `PostgreSQL annex on 127.0.0.1:5432 as annex`; never the password. */
export function describeDatabase(databaseUrl: string): string {
  if (databaseUrl.startsWith('postgres://') || databaseUrl.startsWith('postgresql://')) {
    const url = new URL(databaseUrl);
    const name = decodeURIComponent(url.pathname.replace(/^\//, '')) || '(default database)';
    const user = url.username === '' ? '' : ` as ${decodeURIComponent(url.username)}`;
    return `PostgreSQL ${name} on ${url.hostname}:${url.port || '5432'}${user}`;
  }
  const file = databaseUrl.startsWith('sqlite:')
    ? databaseUrl.slice('sqlite:'.length)
    : databaseUrl;
  return `SQLite at ${displayPath(file)}`;
}

/**
 * The first screen of `npm start`: where annex serves, on which database and data folder, running
 * which services. A worker-only process says it is building exports (process supervisors and tests
 * wait for that phrase).
 */
export function startupLines(summary: StartupSummary): string[] {
  const rows: [string, string][] = [];
  if (summary.address !== undefined) {
    rows.push(
      summary.panelBuilt
        ? ['panel and API', summary.address]
        : ['API', `${summary.address} (the panel is not built: run "npm run build:web")`],
    );
  }
  rows.push(['database', describeDatabase(summary.databaseUrl)]);
  rows.push(['data folder', displayPath(summary.dataDir)]);
  if (summary.storage?.startsWith('s3://') === true) rows.push(['export storage', summary.storage]);
  rows.push(['services', summary.services.join(', ')]);
  if (summary.metricsAddress !== undefined)
    rows.push(['metrics', `${summary.metricsAddress}/metrics`]);
  const heading =
    summary.address === undefined
      ? `annex worker ${summary.workerId ?? ''} is building exports`
      : 'annex is running';
  const width = Math.max(...rows.map(([label]) => label.length)) + 2;
  const lines = [heading, ...rows.map(([label, value]) => `  ${label.padEnd(width)}${value}`)];
  if (summary.firstAdmin !== undefined)
    lines.push('', ...firstAdminLines(summary.firstAdmin, summary.address));
  return lines;
}

/**
 * Who to sign in as on a first start. A generated password is shown here, once: it goes to stdout
 * for the person at the terminal, never through the logger (whose lines may be shipped elsewhere).
 */
function firstAdminLines(admin: FirstAdminNotice, address: string | undefined): string[] {
  const where = address === undefined ? 'Sign in to the panel' : `Sign in at ${address}`;
  if (admin.generatedPassword === undefined) {
    return [
      `First start: created the instance admin ${admin.email} with the password ANNEX_ADMIN_PASSWORD gives.`,
      `${where} as ${admin.email}.`,
    ];
  }
  const kept =
    admin.passwordFile === undefined
      ? 'Change it once you are signed in.'
      : `It is kept in ${displayPath(admin.passwordFile)} until you change it (do, once signed in).`;
  return [
    `First start: created the instance admin. ${where} with`,
    `  email     ${admin.email}`,
    `  password  ${admin.generatedPassword}`,
    `This password is printed only this once. ${kept}`,
  ];
}
