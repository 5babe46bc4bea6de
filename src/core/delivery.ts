/**
 * The one ledger of visitor lines on the wire, shared by the session's outbox and every
 * transport (and the relay's adapters): what went out (client id, text or file name, when),
 * which echo claimed it, which lines are in doubt after a drop, and which wait for history.
 *
 * - An echo is claimed by its client id, else by its text (whitespace normalised) against the
 *   oldest unclaimed line of the same kind, a line whose time equals the echo's winning; with
 *   `slackMs` the echo may not be stamped more than that before the line first went out.
 * - A vendor id once seen always claims the same line (or none): a copy of a line already
 *   seen (a history page, a repeated frame) is never the echo of a newer line with that text.
 * - Connections are numbered (`reconnected`): a line written on this one is on the wire; one
 *   written on an earlier one and not claimed is in doubt (`inDoubt`; delivery-token.ts puts
 *   those in a resume token).
 * - A transport that reads history after a reconnect holds the session's resends (`wire` 0)
 *   until `historyRead`, which says which lines the server lacks and returns those to write.
 */
import type { IncomingMessage } from './contract';

export interface Line<M = undefined> {
  readonly clientId: string;
  /** The text, or a file's name. */
  readonly text: string;
  readonly file: boolean;
  /** When it first went out, on the clock the echoes' `at` is read on. */
  readonly at: number;
  /** The transport's own detail (an upload's URL, a message number). */
  meta: M;
  /** The connection it was last written on (connections count from 1; 0: not on the wire, held). */
  wire: number;
  /** The vendor's id, once an echo (or the send's own answer) claimed it ('' when it had none). */
  id?: string;
  /** The server said it took the line; its echo is still to come. */
  acked: boolean;
  /** History was read since it was last written, and it was not there. */
  checked: boolean;
}

export interface Echo {
  id?: string;
  clientId?: string;
  /** The echo's text, or the readings of it that count (raw and decoded HTML, say). */
  text?: string | readonly string[];
  file?: boolean;
  at?: number;
}

export interface Ledger<M = undefined> {
  /** The current connection's number. */
  readonly conn: number;
  get(clientId: string): Line<M> | undefined;
  /** The line by client id, recorded now if new. */
  add(clientId: string, text: string, at: number, meta: M, file?: boolean): Line<M>;
  /** It was put on the wire on this connection. */
  wrote(line: Line<M>): void;
  /** The echo's line, if it is one of ours; it is claimed (and its vendor id remembered). */
  claim(echo: Echo): Line<M> | undefined;
  /** A new connection: what was written before it is in doubt until claimed. */
  reconnected(): void;
  /**
   * History has been read (or will not come): `these` lines (default: all unclaimed) are
   * not there; the held ones among them are returned, now to be written.
   */
  historyRead(these?: Line<M>[]): Line<M>[];
  /** Lines not claimed yet, oldest first. */
  inDoubt(): Line<M>[];
  /** Every line it holds, the claimed ones first. */
  all(): Line<M>[];
  forget(clientId: string): void;
  clear(): void;
}

/** Whitespace normalised: how an echo's text is compared with the line the visitor typed. */
export const sameText = (s: string): string => s.replace(/\s+/g, ' ').trim();

/** The echo a transport sends again for a line already claimed. */
export const echoOf = (l: Line<unknown>): IncomingMessage => ({ id: l.id || l.clientId, sender: 'visitor', text: l.text, clientId: l.clientId });

export function createLedger<M = undefined>(slackMs?: number): Ledger<M> {
  /** Unclaimed lines, oldest first (a claim looks at these only: long chats stay cheap). */
  const lines = new Map<string, Line<M>>();
  /** Claimed lines, for their echo if the session sends one again. */
  const claimed = new Map<string, Line<M>>();
  /** Vendor id → the client id it claimed ('' for none). */
  const ids = new Map<string, string>();
  let conn = 1;
  const unclaimed = (): Line<M>[] => [...lines.values()];

  const ledger: Ledger<M> = {
    get conn() {
      return conn;
    },
    get: (clientId) => lines.get(clientId) ?? claimed.get(clientId),
    add(clientId, text, at, meta, file = false) {
      let l = ledger.get(clientId);
      if (!l) lines.set(clientId, (l = { clientId, text, file, at, meta, wire: 0, acked: false, checked: false }));
      return l;
    },
    wrote(l) {
      l.wire = conn;
      l.checked = false;
    },
    claim(e) {
      const seen = e.id === undefined ? undefined : ids.get(e.id);
      if (seen !== undefined && e.clientId === undefined) return ledger.get(seen);
      let hit = e.clientId === undefined ? undefined : ledger.get(e.clientId);
      if (e.clientId === undefined && e.text !== undefined) {
        const texts = (typeof e.text === 'string' ? [e.text] : e.text).map(sameText);
        for (const l of lines.values()) {
          if (l.file !== !!e.file || !texts.includes(sameText(l.text))) continue;
          if (slackMs !== undefined && e.at !== undefined && e.at < l.at - slackMs) continue;
          hit ??= l;
          if (e.at === l.at) {
            hit = l;
            break;
          }
        }
      }
      if (e.id !== undefined) ids.set(e.id, hit?.clientId ?? '');
      if (hit && lines.delete(hit.clientId)) {
        hit.id = e.id ?? '';
        claimed.set(hit.clientId, hit);
      }
      return hit;
    },
    reconnected() {
      conn += 1;
    },
    historyRead(these = unclaimed()) {
      for (const l of these) l.checked = true;
      return these.filter((l) => l.id === undefined && !l.wire);
    },
    inDoubt: unclaimed,
    all: () => [...claimed.values(), ...lines.values()],
    forget(clientId) {
      lines.delete(clientId);
      claimed.delete(clientId);
    },
    clear() {
      lines.clear();
      claimed.clear();
      ids.clear();
    },
  };
  return ledger;
}
