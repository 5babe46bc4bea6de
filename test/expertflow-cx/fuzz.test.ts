/**
 * 10,000 mutated CIM messages (the shapes ExpertFlow's customer widget reads) through the CX decoder
 * and the transport: never a throw, a rejected frame is exactly one non-fatal error, every event
 * within bounds. Forms and widget configurations through their decoders likewise.
 */
import fc from 'fast-check';
import type { Socket } from 'socket.io-client';
import { describe, expect, it } from 'vitest';
import type { ConfabEvent } from '../../src/core/contract';
import { CX_FORM } from '../../src/server/sandbox/expertflow-cx';
import { decodeCim, decodeForm, decodeWidgetConfig } from '../../src/transports/expertflow-cx/cim';
import { createCxTransport } from '../../src/transports/expertflow-cx/transport';
import { ONE_MB, objectFrames } from '../fuzz/arbitraries';
import { storm, summary } from '../fuzz/storm';
import { validateEvent } from '../fuzz/validate-event';

const header = (type: string, extra: Record<string, unknown> = {}) => ({
  conversationId: 'conv-1',
  timestamp: 1_700_000_000_000,
  sender: { id: 'a1', type, senderName: 'alex', additionalDetail: { firstName: 'Alex', lastName: 'Morgan' } },
  ...extra,
});
/** One of each CIM message W's handleCimMessage reads. */
const CIM: unknown[] = [
  { id: 'm1', header: header('AGENT'), body: { type: 'PLAIN', markdownText: 'Hello' } },
  { id: 'm2', header: header('BOT'), body: { type: 'BUTTON', markdownText: 'Pick', buttons: [{ title: 'A', payload: '/a' }] } },
  {
    id: 'm3',
    header: header('BOT'),
    body: { type: 'CAROUSEL', elements: [{ text: 't', buttons: [{ title: 'B', payload: '/b' }], additionalCarouselElementDetails: { id: 'c1', title: 'T', image_url: 'https://x.example/i.png' } }] },
  },
  { id: 'm4', header: header('AGENT'), body: { type: 'IMAGE', caption: 'a.png', attachment: { mediaUrl: 'https://x.example/a.png', mimeType: 'image/png', size: 3 } } },
  { id: 'm5', header: header('AGENT'), body: { type: 'NOTIFICATION', notificationType: 'TYPING_STARTED', markdownText: '' } },
  {
    id: 'm6',
    header: header('SYSTEM'),
    body: { type: 'NOTIFICATION', notificationType: 'AGENT_SUBSCRIBED', notificationData: { data: { agentParticipant: { participant: { type: 'AGENT', keycloakUser: { firstName: 'Alex' } } } } } },
  },
  { id: 'm7', header: header('AGENT'), body: { type: 'DELIVERYNOTIFICATION', messageId: 'm0', status: 'FAILED' } },
  { id: 'm8', header: header('AGENT', { intent: 'UPDATE', originalMessageId: 'm1' }), body: { type: 'PLAIN', markdownText: 'Hello again' } },
];
const FRAMES = 10_000;

function fakeIo() {
  const handlers = new Map<string, (...a: unknown[]) => void>();
  const socket = {
    connected: true,
    active: true,
    on(name: string, fn: (...a: unknown[]) => void) {
      handlers.set(name, fn);
      return socket;
    },
    io: { on: () => undefined },
    emit: () => true,
    connect: () => socket,
    disconnect: () => socket,
  };
  return { io: () => socket as unknown as Socket, fire: (name: string, payload: unknown) => handlers.get(name)?.(payload) };
}

async function connected() {
  const sock = fakeIo();
  const transport = createCxTransport(
    {
      options: { server: 'https://cx.example', serviceIdentifier: '1', widgetIdentifier: 'w' },
      locale: 'en', pageUrl: 'https://site.example/', referrer: '', userAgent: 'f', visitorId: 'v',
      resume: { cid: '+1555', conv: 'conv-1', customer: {}, name: 'Ann' },
      clock: { now: () => 1_700_000_000_000, setTimeout: () => 0, clearTimeout: () => undefined },
    },
    { io: sock.io, fetch: async () => new Response('{}') },
  );
  const events: ConfabEvent[] = [];
  transport.connect((e) => events.push(e));
  await new Promise((r) => setTimeout(r, 0));
  sock.fire('connect', undefined);
  return { transport, events, fire: sock.fire };
}

describe('expertflow-cx: fuzzed CIM messages', () => {
  it(`${FRAMES} mutated MESSAGE_RECEIVED payloads through the decoder and the transport`, async () => {
    const { transport, events, fire } = await connected();
    const result = storm({
      frames: objectFrames(CIM),
      numRuns: FRAMES,
      events,
      rejects: (f) => decodeCim(f) === null,
      feed: (f) => fire('MESSAGE_RECEIVED', f),
      isBadFrameWarning: (a) => String(a[0]).includes('unreadable'),
    });
    summary('expertflow-cx', result);
    expect(result.rejected).toBeGreaterThan(FRAMES / 20);
    expect(result.badFrameWarnings).toBeLessThanOrEqual(10);
    const before = events.length;
    fire('MESSAGE_RECEIVED', { id: 'z', header: header('AGENT'), body: { type: 'PLAIN', markdownText: 'still here' } });
    const line = events.slice(before).find((e) => e.type === 'message');
    expect(line?.type === 'message' && line.message.text).toBe('still here');
    transport.close();
  });

  it('a 1 MB line is bounded to 20,000 characters; forms and configurations never throw', async () => {
    const { transport, events, fire } = await connected();
    fire('MESSAGE_RECEIVED', { id: 'big', header: header('AGENT'), body: { type: 'PLAIN', markdownText: ONE_MB } });
    for (const e of events) expect(validateEvent(e)).toEqual([]);
    expect(events.some((e) => e.type === 'message' && e.message.text?.length === 20_000)).toBe(true);
    transport.close();
    fc.assert(
      fc.property(objectFrames([CX_FORM, { enableFileTransfer: true, form: 'f1', title: 'T' }]), (f) => {
        const form = decodeForm(f);
        decodeWidgetConfig(f);
        for (const field of form?.fields ?? []) expect(field.label.length).toBeLessThanOrEqual(20_000);
      }),
      { numRuns: 2000 },
    );
  });

  it('reads the agent of W’s notification, an edit as the line it edits, and a FAILED receipt as an error', async () => {
    const { transport, events, fire } = await connected();
    for (const m of CIM) fire('MESSAGE_RECEIVED', m);
    // The agent's first line names it (first and last name), the bot too, then the notification's user.
    expect(events.flatMap((e) => (e.type === 'agent' ? [`${e.agent.name}/${e.agent.isBot}`] : []))).toEqual(['Alex Morgan/false', 'alex/true', 'Alex/false']);
    const lines = events.flatMap((e) => (e.type === 'message' ? [[e.message.id, e.message.text]] : []));
    expect(lines).toContainEqual(['m1', 'Hello']);
    expect(lines).toContainEqual(['m1', 'Hello again']);
    expect(events.some((e) => e.type === 'error' && e.code === 'send-failed')).toBe(true);
    transport.close();
  });
});
