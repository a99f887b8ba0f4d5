import net from 'node:net';

const loopback = new net.BlockList();
loopback.addSubnet('127.0.0.0', 8, 'ipv4');
loopback.addAddress('::1', 'ipv6');

/**
 * True when a peer address is on this host: 127.0.0.0/8, `::1`, or an
 * IPv4-mapped loopback such as `::ffff:127.0.0.1`. An unknown peer (a Unix
 * socket has none) counts as local.
 */
export function isLoopbackPeer(address: string | undefined): boolean {
  if (address === undefined || address === '') return true;
  const family = net.isIP(address);
  if (family === 0) return false;
  return loopback.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

/** The host part of a `Host` header (`[::1]:7164` → `::1`, `localhost:1` → `localhost`), or undefined when malformed. */
export function hostOfHeader(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]/@\s]+))(?::(\d{1,5}))?$/.exec(header);
  if (!match) return undefined;
  return (match[1] ?? match[2] ?? '').toLowerCase();
}

/**
 * True when a `Host` header names this host the way a local caller does:
 * `localhost`, an address in 127.0.0.0/8 or `[::1]`, with or without a port.
 * A DNS-rebinding page sends its own name (`Host: evil.example`) and is refused.
 * With `allowIpLiterals` (remote callers allowed), any IP address literal is
 * accepted too: a rebinding attack always carries a DNS name.
 */
export function isAllowedHost(header: string | undefined, allowIpLiterals = false): boolean {
  const host = hostOfHeader(header);
  if (host === undefined) return false;
  if (host === 'localhost' || host === 'localhost.') return true;
  const family = net.isIP(host);
  if (family === 0) return false;
  if (header?.startsWith('[') !== (family === 6)) return false;
  return allowIpLiterals || isLoopbackPeer(host);
}
