import os from 'node:os';
import type { FastifyInstance } from 'fastify';
import { ApiError } from './api-error.ts';

// A DNS-rebinding page makes the victim's browser reach annex under the attacker's own host name
// (`Host: attacker.example`), same-origin with the attacker's page: it could read answers and get
// links built on that host. Only host names annex is served under are answered; ports are not
// compared (a proxy or a port mapping changes them, a rebinding attack cannot make use of them).
// Health probes and metrics are exempt: orchestrators and scrapers call them on the pod's address.

/** Paths answered whatever the Host header says. */
const probePaths = new Set(['/healthz', '/livez', '/readyz', '/metrics']);

const loopbackHosts = ['localhost', '127.0.0.1', '[::1]'];
const wildcardBinds = new Set(['0.0.0.0', '::', '[::]']);

/** What the accepted hosts are built from (the parsed config's names). */
export interface HostCheckSettings {
  /** The interface the server binds to. */
  HOST: string;
  /** The URL annex is reached at, if set. */
  PUBLIC_URL?: string | undefined;
  /** More host names, comma-separated; `*` accepts any (unsafe). */
  ALLOWED_HOSTS?: string | undefined;
}

/** The machine's own names and addresses, read when a bind on every interface needs them. */
export interface MachineAddresses {
  hostname(): string;
  interfaceAddresses(): string[];
}

const thisMachine: MachineAddresses = {
  hostname: () => os.hostname(),
  interfaceAddresses: () =>
    Object.values(os.networkInterfaces()).flatMap((entries) =>
      (entries ?? []).map((entry) => entry.address),
    ),
};

/**
 * The host name of a Host header value or of a bare name or address, as a URL spells it: lower
 * case, IPv6 in brackets, no port, no trailing dot; undefined when it is not a host at all.
 */
export function normalizedHostName(value: string): string | undefined {
  let host = value.trim();
  if (host === '') return undefined;
  // A bare IPv6 address (HOST=::1, an interface address) has no brackets; a zone id never reaches a Host header.
  if (host.includes(':') && !host.startsWith('[') && host.split(':').length > 2)
    host = `[${host.split('%')[0] ?? ''}]`;
  try {
    const url = new URL(`http://${host}`);
    if (url.username !== '' || url.password !== '' || url.pathname !== '/' || url.search !== '')
      return undefined;
    return url.hostname.replace(/\.$/, '');
  } catch {
    return undefined;
  }
}

/** Each name of a comma-separated ALLOWED_HOSTS, normalized; throws naming an entry that is no host name. */
export function allowedHostsList(value: string | undefined): string[] | 'any' {
  const entries = (value ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  if (entries.includes('*')) return 'any';
  return entries.map((entry) => {
    const name = normalizedHostName(entry);
    if (name === undefined || entry.includes('/'))
      throw new Error(
        `"${entry}" is not a host name (write annex.example.com, without scheme or path)`,
      );
    return name;
  });
}

/**
 * Which host names a request may name: answers `accepts(hostHeader)`. With a bind on every
 * interface, the interface addresses are read again when a name is not known, so an address the
 * machine got after start (a new network) is accepted without a restart.
 */
export class AcceptedHosts {
  private readonly fixed: Set<string>;
  private interfaces = new Set<string>();
  private readonly any: boolean;
  private readonly everyInterface: boolean;

  constructor(
    settings: HostCheckSettings,
    private readonly machine: MachineAddresses = thisMachine,
  ) {
    const listed = allowedHostsList(settings.ALLOWED_HOSTS);
    this.any = listed === 'any';
    this.fixed = new Set(loopbackHosts);
    for (const name of listed === 'any' ? [] : listed) this.fixed.add(name);
    if (settings.PUBLIC_URL !== undefined) this.fixed.add(new URL(settings.PUBLIC_URL).hostname);
    this.everyInterface = wildcardBinds.has(settings.HOST);
    if (this.everyInterface) {
      const own = normalizedHostName(machine.hostname());
      if (own !== undefined) this.fixed.add(own);
      this.readInterfaces();
    } else {
      const bound = normalizedHostName(settings.HOST);
      if (bound !== undefined) this.fixed.add(bound);
    }
  }

  /** Whether a request carrying this Host header is answered. */
  accepts(hostHeader: string): boolean {
    if (this.any) return true;
    const name = normalizedHostName(hostHeader);
    if (name === undefined) return false;
    if (this.fixed.has(name) || this.interfaces.has(name)) return true;
    if (!this.everyInterface) return false;
    this.readInterfaces();
    return this.interfaces.has(name);
  }

  private readInterfaces(): void {
    this.interfaces = new Set(
      this.machine
        .interfaceAddresses()
        .map(normalizedHostName)
        .filter((name): name is string => name !== undefined),
    );
  }
}

/** Refuses, with a 400 naming the host and ALLOWED_HOSTS, every request (but probes) to a host annex is not served under. */
export function installHostCheck(app: FastifyInstance, accepted: AcceptedHosts): void {
  app.addHook('onRequest', (request, _reply, done) => {
    // request.host is the Host header, or X-Forwarded-Host from a proxy TRUST_PROXY trusts.
    const host = request.host;
    if (probePaths.has(request.url.split('?')[0] ?? '') || accepted.accepts(host)) {
      done();
      return;
    }
    done(
      new ApiError(
        'bad_request',
        `annex is not served under the host "${host}". If that is how people reach it, set PUBLIC_URL to its URL or add the name to ALLOWED_HOSTS (comma-separated).`,
        { host },
      ),
    );
  });
}
