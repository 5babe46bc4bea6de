/**
 * The visitor's End ends the chat at once, whatever Omnidesk does with notifyUserEndChat: the
 * upstream failure is logged and retried behind it (issue 17; before, a failed end left the chat
 * stuck: no `ended`, a second End ignored, every later line `not-started`). And the end goes to
 * the specification's Chat controller path first, the guide's `/message/` path on 404, and the
 * path that answered is kept.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { calls, startStack, visitor, waitFor, type Stack, type Visitor } from '../relay/harness';

const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c().catch(() => undefined);
});

async function stack(...args: Parameters<typeof startStack>): Promise<Stack & { logs: string[] }> {
  const logs: string[] = [];
  const s = await startStack({ log: (m) => void logs.push(m), ...args[0] }, args[1], args[2], args[3]);
  cleanup.push(() => s.close());
  return Object.assign(s, { logs });
}

async function chatting(s: Stack): Promise<{ v: Visitor; id: string }> {
  const v = visitor(s.relay.url);
  cleanup.push(async () => v.transport.close());
  v.transport.send({ type: 'start', visitor: { name: 'Ann', email: 'ann@example.com' }, answers: {} });
  const id = String((await waitFor(() => v.of('accepted')[0], 'accepted')).chatId);
  return { v, id };
}

/** Background retries wait here until the test runs them: nothing is retried behind its back. */
function heldRetries(): { schedule: (run: () => void) => void; waiting: () => number; runNext: () => void } {
  const queue: (() => void)[] = [];
  return { schedule: (run) => void queue.push(run), waiting: () => queue.length, runNext: () => queue.shift()?.() };
}

const endCalls = (s: Stack) => s.sim.received.filter((r) => r.name.endsWith('/notifyUserEndChat')).map((r) => r.name);

describe('ending an Omnidesk chat', () => {
  it('with Omnidesk down, the visitor’s chat ends at once, and Omnidesk is told once it is back', async () => {
    const retries = heldRetries();
    const s = await stack({}, undefined, { schedule: retries.schedule });
    const { v, id } = await chatting(s);
    s.sim.setOutage(true);
    v.transport.send({ type: 'end' });
    const ended = await waitFor(() => v.of('ended')[0], 'ended');
    expect(ended.by).toBe('visitor');
    await waitFor(() => retries.waiting() === 1, 'a retry scheduled');
    expect(s.sim.ended.has(id)).toBe(false);
    expect(s.logs.some((l) => /notifyUserEndChat failed \(HTTP 503: .*Service temporarily unavailable/.test(l))).toBe(true);

    // The chat is over, not stuck: a second End changes nothing and raises no error.
    v.transport.send({ type: 'end' });
    v.transport.send({ type: 'typing', on: true });
    s.sim.setOutage(false);
    retries.runNext();
    await waitFor(() => s.sim.ended.has(id), 'Omnidesk told in the background');
    expect(retries.waiting()).toBe(0);
    expect(v.of('ended')).toHaveLength(1);
    expect(v.of('error')).toEqual([]);
    expect(calls(s.sim, '/chat/notifyUserNewChatEvent')).toEqual([]);
    expect(s.sim.violations).toEqual([]);
  });

  it('with Omnidesk unreachable (connection refused), the chat still ends at once', async () => {
    const retries = heldRetries();
    let down = true;
    const s = await stack({}, (input, init) =>
      down && String(input).endsWith('/notifyUserEndChat') ? Promise.reject(Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } })) : fetch(input, init),
    { schedule: retries.schedule });
    const { v, id } = await chatting(s);
    v.transport.send({ type: 'end' });
    expect((await waitFor(() => v.of('ended')[0], 'ended')).by).toBe('visitor');
    await waitFor(() => retries.waiting() === 1, 'a retry scheduled');
    expect(endCalls(s)).toEqual([]);
    down = false;
    retries.runNext();
    await waitFor(() => s.sim.ended.has(id), 'Omnidesk told in the background');
    expect(endCalls(s)).toEqual(['POST /api/v2/chat/notifyUserEndChat']);
    expect(s.sim.violations).toEqual([]);
  });

  it('an end Omnidesk refuses outright is logged with its words and not repeated; the chat has ended all the same', async () => {
    const refusal = JSON.stringify({ type: 'error', message: 'Chat session is locked' });
    const s = await stack({}, async (input, init) => {
      if (!String(input).endsWith('/notifyUserEndChat')) return fetch(input, init);
      await fetch(input, init); // Omnidesk sees it (and, here, answers it its own way)
      return new Response(refusal, { status: 200, headers: { 'content-type': 'application/json' } });
    }, { schedule: () => expect.unreachable('a refusal is not retried') });
    const { v } = await chatting(s);
    v.transport.send({ type: 'end' });
    expect((await waitFor(() => v.of('ended')[0], 'ended')).by).toBe('visitor');
    await waitFor(() => s.logs.some((l) => l.includes('failed for good') && l.includes('(error: Chat session is locked)')), 'the refusal logged');
    expect(endCalls(s)).toHaveLength(1);
    expect(v.of('error')).toEqual([]);
  });

  it('tries the Chat controller path first, the guide’s path on 404, and keeps the one that answered', async () => {
    const s = await stack({}, undefined, {}, { endChatAt: 'message' });
    const first = await chatting(s);
    first.v.transport.send({ type: 'end' });
    await waitFor(() => s.sim.ended.has(first.id), 'first chat ended upstream');
    expect(endCalls(s)).toEqual(['POST /api/v2/chat/notifyUserEndChat', 'POST /api/v2/message/notifyUserEndChat']);
    await waitFor(() => s.logs.some((l) => l.includes('notifyUserEndChat answers at /message/notifyUserEndChat')), 'the path kept');

    const second = await chatting(s);
    second.v.transport.send({ type: 'end' });
    await waitFor(() => s.sim.ended.has(second.id), 'second chat ended upstream');
    expect(endCalls(s).slice(2)).toEqual(['POST /api/v2/message/notifyUserEndChat']);
    expect(s.sim.violations).toEqual([]);
  });

  it('the agent ending is the end: the visitor is told once, and nothing goes back to Omnidesk', async () => {
    const s = await stack();
    const { v, id } = await chatting(s);
    await s.sim.agentEnd(id);
    expect((await waitFor(() => v.of('ended')[0], 'ended')).by).toBe('agent');
    v.transport.send({ type: 'end' });
    v.transport.send({ type: 'send', clientId: 'late', text: 'still there?' });
    await waitFor(() => v.of('error').find((e) => e.code === 'not-started'), 'the late line refused');
    expect(v.of('ended')).toHaveLength(1);
    expect(endCalls(s)).toEqual([]);
    expect(s.sim.violations).toEqual([]);
  });
});
