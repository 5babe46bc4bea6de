/**
 * The JS API's core (issue 22): update / pageView through the transport's `start`
 * (chat-context.ts), the derived events (chat-events.ts), reset, and the composer draft,
 * driven through a real session over the fake transport, with an injected clock.
 */
import { describe, expect, it, vi } from 'vitest';
import type { Capability, TransportOptions } from '../../src/core/contract';
import { createChatContext, mergeAttributes, MAX_ATTRIBUTES } from '../../src/core/chat-context';
import { watchChatEvents, type ChatEventMap } from '../../src/core/chat-events';
import { createSession } from '../../src/core/session';
import { ALL_CAPABILITIES, chatConfig, FakeClock, FakeTransport, MemoryStorage, settle } from '../core/harness';
import { parseWireCommand } from '../../src/server/relay/wire-command';
import { helloFields } from '../../src/server/sandbox/whoson';

function setup(caps: Capability[] = ALL_CAPABILITIES) {
  const clock = new FakeClock();
  const storage = new MemoryStorage();
  const durable = new MemoryStorage();
  const log = { error: vi.fn(), info: vi.fn() };
  const context = createChatContext('https://shop.example/', log);
  const transports: FakeTransport[] = [];
  const events: { name: keyof ChatEventMap; detail: ChatEventMap[keyof ChatEventMap] }[] = [];
  let watcher: ReturnType<typeof watchChatEvents> | undefined;
  const session = createSession({
    loadTransport: () =>
      Promise.resolve(
        context.wrap((options: TransportOptions) => {
          const t = new FakeTransport(new Set(caps), options, clock);
          transports.push(t);
          return t;
        }, (c) => watcher?.command(c)),
      ),
    transportOptions: { options: {}, locale: 'en', pageUrl: 'https://shop.example/', referrer: '', userAgent: 'test' },
    storage,
    durableStorage: durable,
    storageKey: 'confab:test',
    clock,
  });
  watcher = watchChatEvents(session, (name, detail) => events.push({ name, detail }), clock);
  const transport = () => transports.at(-1)!;
  const chatting = async () => {
    session.open();
    await settle();
    transport().emit({ type: 'connection', state: 'open' });
    transport().emit({ type: 'config', config: chatConfig() });
    session.start({ VisitorName: 'Sam' });
    transport().emit({ type: 'accepted' });
  };
  return { clock, storage, durable, log, context, session, transport, transports, events, chatting };
}

describe('update: attributes on the vendor start', () => {
  it('merges, types as text, removes with null, bounds names, count and length', () => {
    const a = mergeAttributes({}, { plan: 'gold', n: 42, vip: true, bad: { x: 1 }, 'a b': 'x', long: 'x'.repeat(5000) });
    expect(a.attributes).toEqual({ plan: 'gold', n: '42', vip: 'true', long: 'x'.repeat(1000) });
    expect(a.problems).toHaveLength(2);
    expect(mergeAttributes(a.attributes, { plan: null }).attributes).not.toHaveProperty('plan');
    const many = Object.fromEntries(Array.from({ length: MAX_ATTRIBUTES + 5 }, (_, i) => [`k${i}`, 'v']));
    expect(Object.keys(mergeAttributes({}, many).attributes)).toHaveLength(MAX_ATTRIBUTES);
    expect(mergeAttributes({}, 'nope').problems).toEqual(['update takes an object of attributes.']);
  });

  it('the start command carries them; during a chat they wait for the next one, and the console says so', async () => {
    const t = setup();
    t.context.update({ plan: 'gold' }, false);
    await t.chatting();
    expect(t.transport().sent('start')[0]).toMatchObject({ attributes: { plan: 'gold' }, answers: { VisitorName: 'Sam' } });
    expect(t.log.info).not.toHaveBeenCalled();
    t.context.update({ plan: 'platinum' }, true);
    expect(t.log.info).toHaveBeenCalledWith(expect.stringMatching(/update\(\) reaches the agent when the next chat starts/));
  });

  it('no attributes: the start is the session\'s own, unchanged', async () => {
    const t = setup();
    await t.chatting();
    expect(t.transport().sent('start')[0]).not.toHaveProperty('attributes');
  });
});

describe('pageView', () => {
  it('sets the page the transport reads when the chat starts, resolving paths; refuses other schemes', async () => {
    const t = setup();
    t.session.open();
    await settle();
    expect(t.transport().options.pageUrl).toBe('https://shop.example/');
    expect(t.context.pageView('/pricing?plan=pro', false)).toBe(true);
    expect(t.transport().options.pageUrl).toBe('https://shop.example/pricing?plan=pro');
    expect(t.context.pageView('javascript:alert(1)', false)).toBe(false);
    expect(t.log.error).toHaveBeenCalledOnce();
    expect(t.context.pageUrl).toBe('https://shop.example/pricing?plan=pro');
  });
});

describe('events: started, rated, transcript, offline-message, error (each with id and at)', () => {
  it('fires each once, on the change, from the session and the commands it gives', async () => {
    const t = setup();
    t.clock.advance(1000);
    await t.chatting();
    expect(t.events.map((e) => e.name)).toEqual(['started']);
    t.transport().emit({ type: 'rating', rating: { id: 'r1', title: 'How did we do?', scale: 'stars', options: [{ id: '5', label: 'Great' }] } });
    t.session.rate('r1', '5');
    t.transport().emit({ type: 'error', code: 'rate-limited', message: 'Too many', fatal: false });
    t.session.end();
    t.session.requestTranscript('email', 'sam@example.com');
    t.transport().emit({ type: 'ack', what: 'transcript' });
    expect(t.events.map((e) => e.name)).toEqual(['started', 'rated', 'error', 'transcript']);
    expect(t.events[1]!.detail).toMatchObject({ ratingId: 'r1', optionId: '5', choice: 'Great' });
    expect(t.events[2]!.detail).toMatchObject({ code: 'rate-limited', message: 'Too many', fatal: false });
    expect(t.events[3]!.detail).toMatchObject({ format: 'email' });
    for (const e of t.events) expect(e.detail).toMatchObject({ id: expect.any(String), at: t.clock.now() });
    expect(new Set(t.events.map((e) => e.detail.id)).size).toBe(t.events.length);
  });

  it('offline-message when the server confirms the visitor\'s message', async () => {
    const t = setup();
    t.session.open();
    await settle();
    t.transport().emit({ type: 'connection', state: 'open' });
    t.transport().emit({ type: 'config', config: chatConfig({ agentsAvailable: false, leaveMessage: true }) });
    t.session.leaveMessage({ name: 'Sam', email: 'sam@example.com', message: 'Call me' });
    expect(t.events).toEqual([]);
    t.transport().emit({ type: 'ack', what: 'leave-message' });
    expect(t.events.map((e) => e.name)).toEqual(['offline-message']);
  });
});

describe('reset', () => {
  it('ends a running chat, forgets the visitor id, the stored chat and the details; the next chat is a new visitor', async () => {
    const t = setup();
    t.session.identify({ name: 'Sam', email: 'sam@example.com' });
    await t.chatting();
    t.session.send('hello');
    await settle();
    const firstId = t.transport().options.visitorId;
    expect(t.durable.getItem('confab:test:visitor')).toBe(firstId);
    expect(t.storage.getItem('confab:test:session')).not.toBeNull();
    t.session.draft.value = 'half a thought';

    t.session.reset();
    await settle();
    expect(t.transports[0]!.sent('end')).toHaveLength(1);
    expect(t.transports[0]!.closed).toBe(true);
    expect(t.durable.getItem('confab:test:visitor')).toBeNull();
    expect(t.storage.getItem('confab:test:session')).toBeNull();
    expect([t.session.phase.value, t.session.isOpen.value, t.session.transcript.value.length, t.session.draft.value]).toEqual(['closed', false, 0, '']);
    expect(t.session.visitor.value).toEqual({});
    expect(t.transports).toHaveLength(1); // nothing connects or is stored until the window opens again

    t.session.open();
    await settle();
    expect(t.transports).toHaveLength(2);
    expect(t.transport().options.visitorId).not.toBe(firstId);
  });
});

describe('the relay and the WhosOn simulator check what reaches them', () => {
  it('the relay takes bounded attributes on start and refuses anything else', () => {
    const base = { type: 'start', visitor: {}, answers: {} };
    expect(parseWireCommand({ ...base, attributes: { plan: 'gold' } })).toEqual({ ...base, attributes: { plan: 'gold' } });
    expect(parseWireCommand(base)).toEqual(base);
    expect(parseWireCommand({ ...base, attributes: { plan: 1 } })).toBeNull();
    expect(parseWireCommand({ ...base, attributes: { 'a b': 'x' } })).toBeNull();
    expect(parseWireCommand({ ...base, attributes: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v'])) })).toBeNull();
  });

  it('WhosOn Hello: a <Fields> block with unique names (the document), extra names allowed', () => {
    expect(helloFields('<Fields><Field><Name>Company</Name><Value>IBM</Value></Field></Fields>')).toEqual({ names: ['Company'] });
    expect(helloFields('<Fields>\n<Field>\n <Name>a</Name>\n <Value>1</Value>\n</Field></Fields>')).toEqual({ names: ['a'] });
    expect(helloFields('<Fields><Field><Name>a</Name><Value>1</Value></Field><Field><Name>a</Name><Value>2</Value></Field></Fields>')).toMatchObject({ problem: expect.stringMatching(/twice/) });
    expect(helloFields('<Fields><Field><Name>a</Name></Field></Fields>')).toMatchObject({ problem: expect.any(String) });
    expect(helloFields('plan=gold')).toMatchObject({ problem: expect.any(String) });
  });
});
