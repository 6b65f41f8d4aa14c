import net from 'node:net';

// TRUST_PROXY as Fastify's `trustProxy` takes it. Behind a reverse proxy the socket's peer is the
// proxy: trusting its X-Forwarded-Proto/-Host/-For makes `request.protocol` https (Secure cookies),
// `request.host` the name the client used and `request.ip` the client. Trusting them without a
// proxy in front would let any client claim any of the three, so it is off by default.

/** What Fastify's `trustProxy` option gets: all, none, a hop count, or the proxies' addresses. */
export type TrustProxySetting = boolean | number | string[];

// proxy-addr's names for address ranges, accepted beside addresses and CIDRs.
const rangeNames = new Set(['loopback', 'linklocal', 'uniquelocal']);

function isAddressOrRange(entry: string): boolean {
  if (rangeNames.has(entry) || net.isIP(entry) !== 0) return true;
  const [address = '', prefix = '', ...rest] = entry.split('/');
  if (rest.length > 0 || net.isIP(address) === 0) return false;
  // A prefix length (10.0.0.0/8) or, for IPv4, a netmask (10.0.0.0/255.0.0.0).
  if (/^\d{1,3}$/.test(prefix)) return Number(prefix) <= (net.isIPv6(address) ? 128 : 32);
  return net.isIPv4(address) && net.isIPv4(prefix);
}

/**
 * Parses TRUST_PROXY: unset or `false` → false; `true` → trust every hop; a number → that many
 * hops; otherwise a comma-separated list of proxy addresses, CIDRs or `loopback`/`linklocal`/
 * `uniquelocal`. Throws an Error saying what is accepted when it is none of these.
 */
export function trustProxySetting(value: string | undefined): TrustProxySetting {
  const text = value?.trim() ?? '';
  if (text === '' || text === 'false') return false;
  if (text === 'true') return true;
  if (/^\d+$/.test(text)) return Number(text);
  const entries = text
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  const bad = entries.find((entry) => !isAddressOrRange(entry));
  if (bad !== undefined || entries.length === 0) {
    throw new Error(
      `"${bad ?? text}" is not true, false, a hop count, or a proxy address or CIDR (comma-separated list)`,
    );
  }
  return entries;
}

/** TRUST_PROXY as Fastify's option: a hop count becomes the function Fastify makes of one (its types omit numbers). */
export function trustProxyOption(
  value: string | undefined,
): boolean | string[] | ((address: string, hop: number) => boolean) {
  const setting = trustProxySetting(value);
  return typeof setting === 'number' ? (_address, hop) => hop < setting : setting;
}
