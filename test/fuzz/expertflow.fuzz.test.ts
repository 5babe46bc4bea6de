import fc from 'fast-check';
import type { SocketLike } from '../../src/transports/expertflow/link';
import { describe, expect, it } from 'vitest';
import type { ConfabEvent } from '../../src/core/contract';
import { decodeArrived, decodeInfo } from '../../src/transports/expertflow/decode';
import { createExpertFlowTransport } from '../../src/transports/expertflow/transport';
import { ONE_MB, objectFrames } from './arbitraries';
import { fixtures } from './lenient-fixture';
import { storm, summary } from './storm';
import { validateEvent } from './validate-event';

const SERVER = 'https://ef.example';
const docs = fixtures('expertflow');
const chat = docs['message-arrived.chat-message.txt'] as Record<string, unknown>;
const ARRIVED: unknown[] = [
  chat,
  { ...chat, from: { id: 'agent-1', name: 'Alice', type: 'Agent' }, text: 'Hi, how can I help?' },
  { ...chat, from: { id: 'agent-1', name: 'Alice' }, attachments: [{ name: 'a.png', type: 'image/png', contentUrl: 'https://ef.example/a.png' }] },
  { conversationId: '7g5639ju987g', type: 'ActivityMessage', activityType: 'AgentJoined', from: { id: 'agent-1', name: 'Alice' }, info: { participant: { id: 'agent-1', name: 'Alice' } } },
  { conversationId: '7g5639ju987g', type: 'ActivityMessage', activityType: 'ConversationEnded', info: {} },
];
const INFO: unknown[] = [docs['conversation-info.event.json'], { messages: ARRIVED.slice(0, 3), participant: [{ id: 'agent-1', name: 'Alice' }] }];
const FRAMES = 10_000;

/** A socket.io client stand-in: the transport's handlers, called in process. */
function fakeIo() {
  const handlers = new Map<string, (...a: unknown[]) => void>();
  const socket = {
    connected: true,
    on(name: string, fn: (...a: unknown[]) => void) {
      handlers.set(name, fn);
      return socket;
    },
    io: { on: () => undefined, reconnectionAttempts: () => undefined },
    emit: () => true,
    connect: () => socket,
    disconnect: () => socket,
  };
  return { io: () => socket as unknown as SocketLike, fire: (name: string, payload: unknown) => handlers.get(name)?.(payload) };
}

function connected() {
  const sock = fakeIo();
  const transport = createExpertFlowTransport(
    {
      options: { server: SERVER }, locale: 'en', pageUrl: 'https://site.example/', referrer: '', userAgent: 'f', visitorId: 'v',
      resume: { id: '7g5639ju987g', requestId: 'r1', me: { id: 'abcdedf', name: 'Kashif Sohail' } },
      clock: { now: () => 1_700_000_000_000, setTimeout: () => 0, clearTimeout: () => undefined },
    },
    { io: sock.io, fetch: async () => new Response('{}') },
  );
  const events: ConfabEvent[] = [];
  transport.connect((e) => events.push(e));
  sock.fire('connect', undefined);
  return { transport, events, fire: sock.fire };
}

describe('expertflow: fuzzed socket.io payloads', () => {
  it(`${FRAMES} mutated messageArrived / conversationInfo payloads through the decoder and the transport`, () => {
    const { transport, events, fire } = connected();
    type Frame = { name: 'messageArrived' | 'conversationInfo'; payload: unknown };
    const frames: fc.Arbitrary<Frame> = fc.oneof(
      { weight: 4, arbitrary: objectFrames(ARRIVED).map((payload) => ({ name: 'messageArrived' as const, payload })) },
      { weight: 1, arbitrary: objectFrames(INFO).map((payload) => ({ name: 'conversationInfo' as const, payload })) },
    );
    const result = storm({
      frames,
      numRuns: FRAMES,
      events,
      rejects: (f) => (f.name === 'messageArrived' ? decodeArrived(f.payload, SERVER) : decodeInfo(f.payload, SERVER)) === null,
      feed: (f) => fire(f.name, f.payload),
      isBadFrameWarning: (a) => String(a[0]).includes('unreadable'),
    });
    summary('expertflow', result);
    expect(result.rejected).toBeGreaterThan(FRAMES / 20);
    expect(result.badFrameWarnings).toBeLessThanOrEqual(10);
    const before = events.length;
    fire('messageArrived', { ...chat, from: { id: 'agent-1', name: 'Alice' }, text: 'still here', timestamp: '2030-01-01T00:00:00Z' });
    const line = events.slice(before).find((e) => e.type === 'message');
    expect(line?.type === 'message' && line.message.text).toBe('still here');
    transport.close();
  });

  it('a 1 MB line is bounded to 20,000 characters', () => {
    const a = decodeArrived({ ...chat, text: ONE_MB }, SERVER);
    expect(a?.type === 'ChatMessage' && a.text.length).toBe(20_000);
    const { transport, events, fire } = connected();
    fire('messageArrived', { ...chat, from: { id: 'agent-1', name: 'Alice' }, text: ONE_MB });
    for (const e of events) expect(validateEvent(e)).toEqual([]);
    transport.close();
  });

  it('a line at the bound keeps it when refused attachments are named after it (found by the fuzzer)', () => {
    const { transport, events, fire } = connected();
    const attachments = [{ name: 'a.png', type: 'image/png' }]; // no usable URL: named, not linked
    fire('messageArrived', { ...chat, from: { id: 'agent-1', name: 'Alice' }, text: 'y'.repeat(20_000), attachments });
    const line = events.find((e) => e.type === 'message');
    expect(line?.type === 'message' && line.message.text?.length).toBeLessThanOrEqual(20_000);
    for (const e of events) expect(validateEvent(e)).toEqual([]);
    transport.close();
  });
});
