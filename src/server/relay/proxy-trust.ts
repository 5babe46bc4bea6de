/**
 * Who the client is when the relay sits behind reverse proxies. X-Forwarded-For is written by
 * whoever sends the request, so it is believed only as far as the operator names trust:
 *
 * - `trusted` (RELAY_TRUSTED_PROXIES, CIDRs): the header is read only when the TCP peer is one
 *   of them, walking it from the right past further trusted proxies; the first address that is
 *   not a trusted proxy is the client. A request straight from the internet is its peer.
 * - `hops` (RELAY_PROXY_HOPS): this many proxies always stand in front; the client is the
 *   address the outermost one saw (the hops-th entry from the right). Only safe when the relay
 *   cannot be reached except through them (firewalled), so prefer `trusted`; with both set, the
 *   peer must be trusted AND at most `hops` entries are walked.
 *
 * Nothing set: the TCP peer, whatever the header says.
 */
import { BlockList, isIP } from 'node:net';
import type { IncomingMessage } from 'node:http';

export interface ProxyTrust {
  trusted?: readonly string[];
  hops?: number;
}

const plain = (a: string) => a.trim().replace(/^::ffff:(?=\d+\.)/, '');

/** Parses `10.0.0.0/8, 192.168.1.7, fd00::/8`; throws naming the first entry that is not one. */
export function parseCidrs(list: readonly string[]): BlockList {
  const block = new BlockList();
  for (const entry of list) {
    const [addr = '', bits] = entry.trim().split('/');
    const family = isIP(addr);
    const max = family === 6 ? 128 : 32;
    const prefix = bits === undefined ? max : Number(bits);
    if (!family || !Number.isInteger(prefix) || prefix < 0 || prefix > max || (bits !== undefined && !/^\d+$/.test(bits))) {
      throw new Error(`not an IP address or CIDR: ${entry}`);
    }
    block.addSubnet(addr, prefix, family === 6 ? 'ipv6' : 'ipv4');
  }
  return block;
}

/** A function from request to client IP, under the operator's proxy trust. */
export function clientIpResolver(trust: ProxyTrust = {}): (req: IncomingMessage) => string {
  const trusted = trust.trusted?.length ? parseCidrs(trust.trusted) : null;
  const hops = trust.hops && trust.hops > 0 ? Math.floor(trust.hops) : 0;
  const isTrusted = (a: string) => {
    const family = isIP(a);
    return !!trusted && !!family && trusted.check(a, family === 6 ? 'ipv6' : 'ipv4');
  };
  return (req) => {
    const peer = plain(req.socket.remoteAddress ?? '');
    if (!trusted && !hops) return peer;
    if (trusted && !isTrusted(peer)) return peer;
    const raw = req.headers['x-forwarded-for'];
    // Node joins repeated headers with ", ": the same right-to-left order holds for those.
    const chain = (typeof raw === 'string' ? raw.split(',') : []).map(plain).filter(Boolean);
    let client = peer;
    for (let i = chain.length - 1, walked = 0; i >= 0; i--) {
      const addr = chain[i]!;
      if (!isIP(addr)) break; // garbage: nothing to its left can be believed either
      client = addr;
      walked++;
      if (hops && walked >= hops) break;
      if (trusted && !isTrusted(addr)) break;
      if (!trusted && !hops) break;
    }
    return client;
  };
}
