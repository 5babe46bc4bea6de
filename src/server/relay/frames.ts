/** Browser → relay frames (../../protocol/relay.ts) read from untrusted text, field by field. */
import type { ClientFrame, RelayPage } from '../../protocol/relay';
import { parseWireCommand } from './wire-command';

function kindOfPage(raw: unknown): RelayPage | null {
  if (!raw || typeof raw !== 'object') return null;
  const p = raw as Record<string, unknown>;
  const s = (k: string) => (typeof p[k] === 'string' ? (p[k] as string).slice(0, 2000) : '');
  return { url: s('url'), referrer: s('referrer'), locale: s('locale'), userAgent: s('userAgent'), visitorId: s('visitorId') };
}

export function decodeFrame(raw: string): ClientFrame | null {
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch {
    return null;
  }
  if (!v || typeof v !== 'object') return null;
  const f = v as Record<string, unknown>;
  switch (f.type) {
    case 'hello': {
      const page = kindOfPage(f.page);
      return typeof f.vendor === 'string' && page ? { type: 'hello', vendor: f.vendor, page } : null;
    }
    case 'resume':
      return typeof f.token === 'string' && Number.isSafeInteger(f.lastSeq)
        ? { type: 'resume', token: f.token, lastSeq: f.lastSeq as number }
        : null;
    case 'ack':
      return Number.isSafeInteger(f.seq) ? { type: 'ack', seq: f.seq as number } : null;
    case 'ping':
      return { type: 'ping' };
    case 'command': {
      // Checked field by field here (wire-command.ts); adapters still check values.
      const command = parseWireCommand(f.command);
      return command ? { type: 'command', command } : null;
    }
    default:
      return null;
  }
}
