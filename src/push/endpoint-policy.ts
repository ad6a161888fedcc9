/**
 * Which push endpoints Herald will POST to. Herald makes requests to URLs its users hand it, so
 * an endpoint must be an `https:` URL on an allowed push-service origin, and never on an
 * internal host: not a loopback, private, link-local (cloud metadata), CGNAT, multicast or
 * reserved address, nor a name that only resolves inside a network. The same rule is applied
 * again when the request is made, to the addresses the name resolves to then (a public name can
 * be re-pointed at an internal address after it was accepted). Redirects are never followed:
 * `web-push` makes a single request and treats a 3xx as an error.
 */
import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';

const MAX_ENDPOINT_LENGTH = 2048;

// Two lists: a BlockList also checks IPv4 addresses against IPv6 rules for mapped addresses,
// and ::ffff:0:0/96 below would then cover every IPv4 address.
const internalV4 = new BlockList();
const internalV6 = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  internalV4.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [
  ['::', 127], // :: and ::1
  ['::ffff:0:0', 96], // IPv4-mapped: never a push service's published address
  ['64:ff9b::', 96], // NAT64 of IPv4 addresses
  ['100::', 64],
  ['2001:db8::', 32],
  ['fc00::', 7],
  ['fe80::', 10],
  ['fec0::', 10],
  ['ff00::', 8],
] as const) {
  internalV6.addSubnet(net, prefix, 'ipv6');
}

const INTERNAL_SUFFIXES = ['.localhost', '.local', '.internal', '.intranet', '.lan', '.home.arpa'];

function isInternalAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return internalV4.check(address, 'ipv4');
  if (family === 6) return internalV6.check(address, 'ipv6');
  return true; // not an address at all: refuse rather than guess
}

/** An IP literal that is internal, or a name that can only be internal (no public DNS). */
export function isInternalHost(hostname: string): boolean {
  const host = hostname
    .toLowerCase()
    .replace(/^\[|\]$/g, '')
    .replace(/\.$/, '');
  if (isIP(host)) return isInternalAddress(host);
  if (host === 'localhost' || !host.includes('.')) return true;
  return INTERNAL_SUFFIXES.some((suffix) => host.endsWith(suffix));
}

/** `origin` matches an entry: exactly, or `https://*.example.com[:port]` for any subdomain. */
export function originAllowed(origin: string, allowed: readonly string[]): boolean {
  const wanted = new URL(origin);
  return allowed.some((entry) => {
    if (!entry.includes('*.')) return entry === origin;
    const pattern = new URL(entry.replace('*.', 'wildcard.'));
    const suffix = pattern.hostname.slice('wildcard'.length); // ".example.com"
    return (
      pattern.protocol === wanted.protocol &&
      pattern.port === wanted.port &&
      wanted.hostname.endsWith(suffix) &&
      wanted.hostname.length > suffix.length
    );
  });
}

export interface EndpointRules {
  allowedOrigins: readonly string[];
  allowPrivateHosts: boolean;
}

/** Why Herald must not send to `endpoint`, or null when it may. */
export function endpointProblem(endpoint: string, rules: EndpointRules): string | null {
  if (endpoint.length > MAX_ENDPOINT_LENGTH) {
    return `endpoint must be at most ${MAX_ENDPOINT_LENGTH} characters`;
  }
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return 'endpoint must be an absolute URL';
  }
  if (url.protocol !== 'https:') return 'endpoint must be an https: URL';
  if (url.username || url.password) return 'endpoint must not carry credentials';
  if (!rules.allowPrivateHosts && isInternalHost(url.hostname)) {
    return 'endpoint must not be on an internal host';
  }
  if (!originAllowed(url.origin, rules.allowedOrigins)) {
    return `endpoint origin ${url.origin} is not an allowed push service (WEB_PUSH_ALLOWED_ORIGINS)`;
  }
  return null;
}

type Resolver = (
  hostname: string,
  options: LookupOptions & { all: true },
  callback: (error: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void,
) => void;

/**
 * A `lookup` for the push agent's sockets: resolves as usual, then refuses the connection if any
 * address the name resolves to is internal (so a name cannot be swapped to one after the check).
 */
export function guardedLookup(resolve: Resolver = dnsLookup): LookupFunction {
  return (hostname, options, done) => {
    resolve(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return done(error, []);
      const bad = addresses.find((a) => isInternalAddress(a.address));
      if (bad || addresses.length === 0) {
        const refused = new Error(
          `push endpoint host ${hostname} resolves to an internal address`,
        ) as NodeJS.ErrnoException;
        refused.code = 'EPUSHINTERNAL';
        return done(refused, []);
      }
      if (options.all) return done(null, addresses);
      done(null, addresses[0].address, addresses[0].family);
    });
  };
}
