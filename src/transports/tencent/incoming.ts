/**
 * Desk messages in (live pushes, modifications, recalls) → Confab events, after map.ts has read
 * each at the edge. Every message is de-duplicated by its ID (live pushes and history pages
 * overlap); a modified message updates its line in place (`message-updated`: src 31 streams
 * so), a recalled one is withdrawn; src 30 Markdown is rendered by a lazy chunk
 * (../markdown.ts) and its line updated with the HTML, which the UI sanitizes. An unreadable
 * message is the mapper's `error` event, logged at most MAX_WARNINGS times (transport-kit).
 */
import type { ConfabEventBody, IncomingMessage } from '../../core/contract';
import type { DeskMessage } from './client';
import { mapDeskMessage, type MapResult } from './map';
import type { TencentTransport } from './transport';

/** `marked` and our wrapper: a chunk fetched when the first Markdown line arrives. */
const loadMarkdown = (): Promise<(source: string) => string> => import('../markdown').then((m) => m.markdownToHtml);

/** A message of this user's that the SDK's local list keeps but the desk never got (or not yet). */
export const notDelivered = (msg: DeskMessage): boolean => msg.flow === 'out' && (msg.status === 'fail' || msg.status === 'unSend');

export function receive(d: TencentTransport, messages: DeskMessage[], modified: boolean): void {
  const conversation = `C2C${d.to}`;
  for (const msg of messages) {
    if (msg.conversationID !== conversation || notDelivered(msg)) continue;
    if (msg.isRevoked) {
      withdraw(d, [msg]);
      continue;
    }
    if (!modified) {
      if (d.seen.has(msg.ID)) continue;
    } else if (d.withdrawn.has(msg.ID)) continue;
    d.seen.add(msg.ID);
    const mapped = mapDeskMessage(msg, { seat: d.seat, serverSkew: d.skew() });
    const result = modified ? mapped : claimed(d, msg, mapped);
    const { seat, flow } = result;
    if (seat) d.seat = seat;
    // The desk's answer to a trigger, or a seat change: the flow is on again.
    if (flow === 'live') d.flowEnded = false;
    // A modified message changes its line in place (a streamed answer grows so).
    const events = modified
      ? result.events.flatMap((ev): ConfabEventBody[] =>
          ev.type === 'message' ? [{ type: 'message-updated', message: ev.message }] : ev.type === 'ended' || ev.type === 'typing' ? [] : [ev],
        )
      : result.events;
    for (const ev of events) {
      if (ev.type === 'ended' && d.endedLocally) continue;
      if (ev.type === 'typing') {
        d.kit.typing(ev.on);
        continue;
      }
      // An unreadable message is not the agent having finished typing.
      if (msg.flow === 'in' && ev.type !== 'rating-policy' && ev.type !== 'error') d.kit.typing(false);
      dispatch(d, ev);
    }
    follow(d, result);
    d.publishPolicy();
  }
}

/** What a mapped message leaves for the transport to do: remember a rating's desk session, render Markdown. */
export function follow(d: TencentTransport, result: MapResult): void {
  for (const ev of result.events) {
    if (ev.type === 'rating' && result.ratingSession !== undefined) d.ratingSessions.set(ev.rating.id, result.ratingSession);
    if ((ev.type === 'message' || ev.type === 'message-updated') && result.markdown) render(d, ev.message);
  }
}

/**
 * A Markdown line (src 30) is on screen as its source, partial; once the Markdown chunk is
 * here its HTML replaces it. If the chunk cannot load, the source stays, as finished text.
 */
export function render(d: TencentTransport, message: IncomingMessage): void {
  const source = message.text ?? '';
  const { text: _text, partial: _partial, ...rest } = message;
  const version = (d.renders.get(message.id) ?? 0) + 1;
  d.renders.set(message.id, version);
  loadMarkdown()
    .then(
      (toHtml): IncomingMessage => ({ ...rest, html: toHtml(source) }),
      (e: unknown): IncomingMessage => {
        d.kit.log('Markdown renderer unavailable', e);
        return { ...rest, text: source };
      },
    )
    .then((done) => {
      if (d.renders.get(message.id) !== version || d.withdrawn.has(message.id)) return;
      d.renders.delete(message.id);
      d.kit.emit({ type: 'message-updated', message: done });
    });
}

/** Recalled messages (MESSAGE_REVOKED, or marked so in history): their lines go. */
export function withdraw(d: TencentTransport, messages: DeskMessage[]): void {
  const conversation = `C2C${d.to}`;
  for (const msg of messages) {
    if (msg.conversationID !== conversation || d.withdrawn.has(msg.ID)) continue;
    d.withdrawn.add(msg.ID);
    d.seen.add(msg.ID);
    d.prompts.delete(msg.ID);
    d.kit.emit({ type: 'message-withdrawn', id: msg.ID });
  }
}

/** Emit, remembering what later commands need (prompts, ratings, policy, flow end). */
export function dispatch(d: TencentTransport, ev: ConfabEventBody): void {
  if (ev.type === 'branch') d.prompts.set(ev.branch.id, ev.branch);
  else if (ev.type === 'form') d.prompts.set(ev.form.id, ev.form);
  else if (ev.type === 'rating') d.ratings.set(ev.rating.id, ev.rating);
  else if (ev.type === 'rating-policy') {
    d.policy = ev.policy;
    return d.publishPolicy();
  } else if (ev.type === 'ended' || ev.type === 'rejected') d.flowOver();
  // Each unreadable message is an `error` event; only the first few reach the console too.
  else if (ev.type === 'error') d.kit.logCapped('message skipped:', ev.message);
  d.kit.emit(ev);
  if (ev.type === 'ended') d.publishPolicy();
}

/**
 * A visitor text the desk holds (history or a push) that is one of this page's lines still
 * in doubt: the oldest with the same text first put on the wire no later than the message
 * was stored. Its message event then carries the line's client id, and the line is not
 * sent again. The one ambiguity left: the same text sent twice within CLAIM_SLACK_MS, the
 * first copy's echo also lost (or the page reloaded meanwhile), counts the first copy for
 * the second line; a duplicate is what the visitor sees otherwise, so the margin stays small.
 */
export function claimed(d: TencentTransport, msg: DeskMessage, result: MapResult): MapResult {
  if (msg.flow !== 'out' || msg.type !== 'TIMTextElem' || msg.payload.text === undefined) return result;
  const clientId = d.lines.claim({ id: msg.ID, text: msg.payload.text, at: msg.time * 1000 })?.clientId;
  if (clientId === undefined) return result;
  d.publishResume();
  const events = result.events.map((ev) => (ev.type === 'message' ? { ...ev, message: { ...ev.message, clientId } } : ev));
  return { ...result, events };
}
