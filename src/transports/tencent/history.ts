/**
 * Tencent desk history, read on every ready (load, reconnection, a renewed userSig) and before a
 * resend of a line in doubt: what is new is replayed oldest first, lines in doubt found there
 * are claimed (core/delivery.ts), and the last flow message read decides the flow's state.
 */
import type { Agent } from '../../core/contract';
import { t } from '../../core/i18n';
import type { DeskMessage } from './client';
import { mapDeskMessage, type FlowMark, type MapResult } from './map';
import { claimed, dispatch, follow, notDelivered, withdraw } from './incoming';
import type { TencentTransport } from './transport';

/** History pages of 15 to read on (re)load: the recent conversation, not the archive. */
const HISTORY_PAGES = 4;

/**
 * Read the recent conversation from history (on load and after every reconnection) and
 * replay what is new, oldest first. The last flow message read decides the flow's state:
 * - an end flag (19/20/27) ends a flow this page was running (started here, or the session
 *   resuming one), as `ended`, whose marker the session writes; otherwise that session
 *   already ended the chat itself (its marker is in its transcript) or this is an old chat
 *   seen afresh, and the flag adds no line. Earlier flags, between flows, stay as lines.
 * - anything else, on a resume, is a live flow: no new trigger, and the agent in the seat
 *   (named by the seat message's nick, so the session sees the same agent) is announced.
 */
export async function restore(d: TencentTransport): Promise<void> {
  const client = d.client;
  if (!client) return;
  const pages: DeskMessage[][] = [];
  let next: string | undefined;
  const inDoubt = d.lines.inDoubt();
  try {
    for (let i = 0; i < HISTORY_PAGES; i++) {
      const page = await client.history(d.to, next);
      pages.unshift(page.messages);
      if (page.complete || !page.next) break;
      next = page.next;
    }
  } catch (e) {
    d.kit.log('history unavailable', e);
    return;
  }
  d.lines.historyRead(inDoubt);
  const first = !d.restored;
  d.restored = true;
  const resuming = first && d.options.resume !== undefined;
  const running = d.triggered || d.liveFlow || resuming;
  const seatBefore = d.seat;
  let seatAgent: Agent | undefined;
  const fresh: MapResult[] = [];
  for (const msg of pages.flat()) {
    if (msg.isRevoked) {
      // Recalled while this page was away (or before a reload): its line goes, once.
      withdraw(d, [msg]);
      continue;
    }
    if (d.seen.has(msg.ID) || notDelivered(msg)) continue;
    d.seen.add(msg.ID);
    const result = claimed(d, msg, mapDeskMessage(msg, { seat: d.seat, serverSkew: d.skew(), replay: true }));
    if (result.seat) {
      d.seat = result.seat;
      seatAgent = result.agent;
    }
    fresh.push(result);
  }
  let lastMark = -1;
  for (let i = 0; i < fresh.length; i++) if (fresh[i]?.flow !== undefined) lastMark = i;
  const last: FlowMark | undefined = fresh[lastMark]?.flow;
  const ended = last !== undefined && last !== 'live' ? last.ended : undefined;
  // Before replaying, so the rating rules replayed are judged by the flow's final state.
  if (last !== undefined) d.flowEnded = ended !== undefined;
  fresh.forEach((r, i) => {
    if (i !== lastMark || !ended) {
      r.events.forEach((ev) => dispatch(d, ev));
      return follow(d, r);
    }
    if (running && !d.endedLocally) dispatch(d, { type: 'ended', by: ended });
  });
  if (ended) d.liveFlow = false;
  else if (resuming && d.seen.size > 0) d.liveFlow = true;
  if (!ended && (d.liveFlow || d.triggered) && d.seat === 'in' && seatBefore !== 'in' && !d.endedLocally) {
    d.kit.emit({ type: 'agent', action: 'joined', agent: seatAgent ?? { name: t('messages.agent'), isBot: false } });
  }
  d.publishPolicy();
}
