/**
 * message/chatbot (a ticket) and addAttachment (a file in the chat) have no idempotency key, so
 * the relay must not repeat them after Omnidesk may have acted on them: one left message, one
 * ticket. Repeated only when the connection was refused (the request never left).
 */
import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { calls, startStack, visitor, waitFor, type Stack } from '../relay/harness';

const stacks: Stack[] = [];
afterEach(async () => {
  for (const s of stacks.splice(0)) await s.close();
});

const CREATES = /\/message\/chatbot$|\/chat\/addAttachment$/;

/** Omnidesk acts on the first call that creates something, and its answer is lost on the way back. */
function answerLostOnce(): typeof fetch {
  let lost = false;
  return async (input, init) => {
    const res = await fetch(input, init);
    if (!lost && CREATES.test(String(input))) {
      lost = true;
      throw new TypeError('socket hang up');
    }
    return res;
  };
}

function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

async function stack(fetchImpl: typeof fetch): Promise<Stack> {
  const s = await startStack({}, fetchImpl);
  stacks.push(s);
  return s;
}

describe('Omnidesk calls that create something are not repeated', () => {
  it('a left message whose answer was lost makes one ticket, and the visitor is told it may not have gone', async () => {
    const s = await stack(answerLostOnce());
    s.available.value = false;
    const v = visitor(s.relay.url);
    await waitFor(() => v.of('config')[0], 'config');
    v.transport.send({ type: 'leave-message', name: 'Ann', email: 'ann@example.com', message: 'call me' });
    await waitFor(() => v.of('error').find((e) => e.code === 'leave-message-failed'), 'leave-message-failed');
    // The error is emitted once the call, retries included, has finished: a retry would be counted already.
    expect(calls(s.sim, '/message/chatbot')).toHaveLength(1);
    expect(v.of('ack')).toEqual([]);
    v.transport.close();
  });

  it('a file whose upload answer was lost is uploaded once', async () => {
    const s = await stack(answerLostOnce());
    const v = visitor(s.relay.url);
    v.transport.send({ type: 'start', visitor: {}, answers: {} });
    await waitFor(() => v.of('accepted')[0], 'accepted');
    v.transport.send({ type: 'send-file', clientId: 'f1', file: new Blob(['x'], { type: 'text/plain' }), name: 'a.txt' });
    await waitFor(() => v.of('error').find((e) => e.code === 'send-failed'), 'send-failed');
    expect(calls(s.sim, '/chat/addAttachment')).toHaveLength(1);
    expect(v.of('message').filter((e) => e.message.clientId === 'f1')).toEqual([]);
    v.transport.close();
  });

  it('a left message whose connection was refused is tried again and makes one ticket', async () => {
    const refused = `http://127.0.0.1:${await closedPort()}/`;
    let first = true;
    const s = await stack((input, init) => {
      const redirect = first && CREATES.test(String(input));
      if (redirect) first = false;
      return fetch(redirect ? refused : input, init);
    });
    s.available.value = false;
    const v = visitor(s.relay.url);
    await waitFor(() => v.of('config')[0], 'config');
    v.transport.send({ type: 'leave-message', name: 'Cy', email: 'cy@example.com', message: 'call me back' });
    await waitFor(() => v.of('ack')[0], 'ack');
    expect(calls(s.sim, '/message/chatbot')).toHaveLength(1);
    expect(v.of('error')).toEqual([]);
    v.transport.close();
  });
});
