/**
 * The lines in doubt (delivery.ts) in a resume token and back, for a transport whose chat
 * survives a page change: the next page can still claim their echoes, and does not send a
 * line again that history shows the server has. Only Tencent's token carries them today, so
 * this is not part of the app chunk.
 */
import type { Json } from './contract';
import type { Ledger } from './delivery';

/** Lines in doubt a resume token carries (the newest): a page holds few of them. */
export const MAX_TOKEN_LINES = 50;

export function doubtToken(ledger: Ledger<undefined>): Json {
  const out: { [clientId: string]: Json } = {};
  for (const l of ledger.inDoubt().slice(-MAX_TOKEN_LINES)) out[l.clientId] = { text: l.text, at: l.at };
  return out;
}

/** Read back defensively (the token comes from storage): written before, so in doubt until history is read. */
export function restoreDoubt(ledger: Ledger<undefined>, token: Json | undefined): void {
  if (!token || typeof token !== 'object' || Array.isArray(token)) return;
  for (const [clientId, v] of Object.entries(token).slice(-MAX_TOKEN_LINES)) {
    const o = v && typeof v === 'object' && !Array.isArray(v) ? v : {};
    if (typeof o.text === 'string' && typeof o.at === 'number' && Number.isFinite(o.at)) {
      ledger.add(clientId, o.text, o.at, undefined).wire = -1;
    }
  }
}
