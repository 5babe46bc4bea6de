/**
 * Relay → browser frames for the relay and Diyalog fuzz tests: one documented-shape frame
 * per event type (src/protocol/relay.ts), fed to a transport over a fake socket.
 * `fatal` frames are left out of the examples on purpose: they end the transport by design,
 * and the storm must keep one transport alive to prove it stays usable.
 */
import { expect, it } from 'vitest';
import type { ConfabEvent, ConfabEventBody, Transport, TransportOptions } from '../../src/core/contract';
import { guardEvent } from '../../src/transports/relay/event-guard';
import type { WebSocketCtor } from '../../src/transports/relay/transport';
import { ONE_MB, textFrames } from './arbitraries';
import { storm, summary } from './storm';
import { validateEvent } from './validate-event';
import { FakeSocket } from './fake-socket';

export { FakeSocket };

const FIELD = { name: 'email', type: 'email', label: 'Email', required: true, maxLength: 80 };
export const EXAMPLE_EVENTS: ConfabEventBody[] = [
  { type: 'connection', state: 'open' },
  {
    type: 'config',
    config: {
      siteName: 'Bank', welcomeHtml: '<b>Hi</b>', prechat: [FIELD as never], postchat: [],
      allowedFileTypes: ['pdf', 'png'], maxFileBytes: 1_000_000, leaveMessage: true, previewAllowed: false,
      forwardingUrl: 'https://bank.example/contact', languages: [{ code: 'tr', name: 'Türkçe' }],
    },
  },
  { type: 'queue', position: 3, total: 10 },
  { type: 'waiting', kind: 'waiting', text: 'Please wait' },
  { type: 'accepted', chatId: 'c-1' },
  { type: 'rejected', reason: 'Closed', forwardingUrl: 'https://bank.example/' },
  { type: 'agent', action: 'joined', agent: { name: 'Ayşe', isBot: false, avatar: 'https://bank.example/a.png' } },
  {
    type: 'message',
    message: {
      id: 'm1', sender: 'agent', authorName: 'Ayşe', text: 'Merhaba', sentAt: 1700000000000,
      attachments: [{ name: 'a.png', url: 'https://bank.example/a.png', kind: 'image', mime: 'image/png', size: 10 }],
    },
  },
  { type: 'typing', on: true },
  { type: 'branch', branch: { id: 'b1', header: 'Pick', options: [{ id: '1', label: 'One' }, { id: '2', label: 'Two' }] } },
  { type: 'form', form: { id: 'f1', header: 'Your email', field: FIELD as never } },
  { type: 'card', id: 'k1', sender: 'agent', card: { title: 'Card', image: 'https://bank.example/c.png', url: 'https://bank.example/' } },
  { type: 'rating', rating: { id: 'r1', scale: 'stars', options: [{ id: '5', label: '5' }], expiresAt: 1700000000000 } },
  { type: 'rating-policy', policy: { autoAtEnd: true, agentMaySend: false, visitorMayAsk: true } },
  { type: 'file-request', allowedTypes: ['pdf'] },
  { type: 'ended', by: 'agent', text: 'Bye' },
  { type: 'ack', what: 'postchat' },
  { type: 'image', role: 'logo', url: 'https://bank.example/logo.png' },
  { type: 'error', code: 'x', message: 'Something', fatal: false },
];

export const EXAMPLE_FRAMES: unknown[] = [
  ...EXAMPLE_EVENTS.map((event, i) => ({ type: 'event', seq: i + 2, event })),
  { type: 'welcome', token: 't0', capabilities: ['prechat', 'typing'], resumed: true },
  { type: 'pong' },
];

/** What the relay transport must reject: not an object frame it knows, or an event the guard refuses. */
export function relayRejects(text: string): boolean {
  let f: unknown;
  try {
    f = JSON.parse(text);
  } catch {
    return true;
  }
  if (!f || typeof f !== 'object' || Array.isArray(f)) return true;
  const o = f as Record<string, unknown>;
  if (o.type === 'welcome') return !(typeof o.token === 'string' && Array.isArray(o.capabilities));
  if (o.type === 'pong') return false;
  if (o.type === 'fatal') return !(typeof o.code === 'string' && typeof o.message === 'string');
  if (o.type === 'event') return !(Number.isSafeInteger(o.seq) && (o.seq as number) > 0 && guardEvent(o.event));
  return true;
}


export const relayOptions = (extra: Record<string, string> = {}): TransportOptions => ({
  options: { relay: 'ws://127.0.0.1:1', vendor: 'omnidesk', ...extra },
  locale: 'tr', pageUrl: 'https://bank.example/', referrer: '', userAgent: 'fuzz', visitorId: 'v1',
  // Timers (acks, pings) never fire: the storm is about frames, not time.
  clock: { now: () => 1_700_000_000_000, setTimeout: () => 0, clearTimeout: () => undefined },
});

const FRAMES = 10_000;

/** The storm and the bounds, for any transport built on the relay's browser side. */
export function relayFuzzSuite(vendor: string, make: (ws: WebSocketCtor) => Transport): void {
  function connected() {
    const transport = make(FakeSocket as unknown as WebSocketCtor);
    const events: ConfabEvent[] = [];
    transport.connect((e) => events.push(e));
    const socket = FakeSocket.last!;
    socket.onopen?.({});
    socket.receive({ type: 'welcome', token: 't1', capabilities: ['prechat', 'typing', 'file'], resumed: false });
    expect(events.some((e) => e.type === 'connection' && e.state === 'open')).toBe(true);
    return { transport, events, socket };
  }

  it(`${FRAMES} mutated and random relay frames through the guard and the transport: no throw, valid events, one error per rejected frame`, () => {
    const { transport, events, socket } = connected();
    const result = storm({
      frames: textFrames(EXAMPLE_FRAMES),
      numRuns: FRAMES,
      events,
      rejects: relayRejects,
      feed: (f) => socket.receive(f),
      isBadFrameWarning: (a) => String(a[0]).includes('unreadable relay frame'),
    });
    summary(vendor, result);
    expect(result.rejected).toBeGreaterThan(FRAMES / 20);
    expect(result.badFrameWarnings).toBeLessThanOrEqual(10);
    // Usable afterwards: a fresh session (welcome) and its first agent line arrive.
    socket.receive({ type: 'welcome', token: 't2', capabilities: ['typing'], resumed: false });
    const before = events.length;
    socket.receive({ type: 'event', seq: 1, event: { type: 'message', message: { id: 'after', sender: 'agent', text: 'still here' } } });
    const line = events.slice(before).find((e) => e.type === 'message');
    expect(line?.type === 'message' && line.message.text).toBe('still here');
    transport.close();
  });

  it('frames that parse to null, numbers or arrays are one error each, not a crash', () => {
    const { transport, events, socket } = connected();
    const before = events.length;
    for (const f of ['null', '0', '[]', '"event"', 'true']) socket.receive(f);
    expect(events.slice(before).map((e) => e.type === 'error' && e.code)).toEqual(Array(5).fill('bad-frame'));
    transport.close();
  });

  it('a 1 MB line and a 10,000-option branch are bounded; an unsafe URL never reaches the UI', () => {
    const { transport, events, socket } = connected();
    const options = Array.from({ length: 10_000 }, (_, i) => ({ id: String(i), label: `o${i}` }));
    socket.receive({ type: 'event', seq: 1, event: { type: 'message', message: { id: 'big', sender: 'agent', text: ONE_MB } } });
    socket.receive({ type: 'event', seq: 2, event: { type: 'branch', branch: { id: 'b', header: 'h', options } } });
    socket.receive({ type: 'event', seq: 3, event: { type: 'card', id: 'c', sender: 'agent', card: { title: 't', url: 'javascript:alert(1)' } } });
    const msg = events.find((e) => e.type === 'message');
    expect(msg?.type === 'message' && msg.message.text?.length).toBe(20_000);
    const branch = events.find((e) => e.type === 'branch');
    expect(branch?.type === 'branch' && branch.branch.options.length).toBe(100);
    const card = events.find((e) => e.type === 'card');
    expect(card?.type === 'card' && card.card).toEqual({ title: 't' });
    for (const e of events) expect(validateEvent(e)).toEqual([]);
    transport.close();
  });
}
