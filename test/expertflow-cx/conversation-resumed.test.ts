/**
 * A newer CX server that brings the history back only with CONVERSATION_RESUMED (W's handler), its
 * CHAT_RESUMED ack carrying none: the history is shown, and a line written before the resume goes out once.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { afterEach, expect, it } from 'vitest';
import type { CxSimulatorHandle } from '../../src/server/sandbox/expertflow-cx';
import { connect, manualClock, until, type Harness } from './harness';

let h: Harness | undefined;
let io: Server | undefined;
afterEach(async () => {
  h?.transport.close();
  await new Promise((r) => (io ? io.close(r) : r(undefined)));
});

async function server(onConnection: (s: import('socket.io').Socket) => void): Promise<string> {
  const http = createServer((req, res) => {
    if (req.url?.startsWith('/socket.io')) return;
    res.writeHead(404);
    res.end();
  });
  io = new Server(http);
  io.on('connection', onConnection);
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
}

it('a server that never answers CHAT_RESUMED: after the grace time the waiting line goes out, once', async () => {
  const got: unknown[] = [];
  let resumes = 0;
  const url = await server((s) => {
    s.on('CHAT_RESUMED', () => void resumes++);
    s.on('MESSAGE_RECEIVED', (p: unknown, ack: (r: unknown) => void) => {
      got.push(p);
      ack({ code: 200 });
    });
  });
  const clock = manualClock();
  h = connect({ url, options: { serviceIdentifier: '1', widgetIdentifier: 'w' } } as unknown as CxSimulatorHandle, {
    resume: { cid: '+1', conv: 'conv-9', customer: {}, name: 'Ann' },
    clock,
  });
  h.send({ type: 'send', clientId: 'c1', text: 'hello?' });
  await until('CHAT_RESUMED asked', () => resumes === 1);
  expect(got).toEqual([]);
  clock.fire(); // the grace time (and the config fetch's timeout, long answered) passes
  await until('line sent', () => got.length);
  // The core's resend of the same line, then a typing notice: frames arrive in order, so once
  // the notice is in, a second copy of the line would be too.
  h.send({ type: 'send', clientId: 'c1', text: 'hello?' });
  h.send({ type: 'typing', on: true });
  await until('typing notice', () => got.length === 2);
  expect(got.map((p) => (p as { body: { type: string } }).body.type)).toEqual(['PLAIN', 'NOTIFICATION']);
});

it('CONVERSATION_RESUMED {history} restores the chat', async () => {
  const http = createServer((req, res) => {
    if (req.url?.startsWith('/socket.io')) return;
    res.writeHead(404);
    res.end();
  });
  io = new Server(http);
  const got: unknown[] = [];
  io.on('connection', (s) => {
    s.on('CHAT_RESUMED', (_p: unknown, ack: (r: unknown) => void) => {
      ack({ isChatAvailable: true, data: [] });
      s.emit('CONVERSATION_RESUMED', {
        history: [
          { id: 'h1', header: { conversationId: 'conv-9', sender: { type: 'AGENT', senderName: 'sam' } }, body: { type: 'PLAIN', markdownText: 'Welcome back' } },
        ],
      });
    });
    s.on('MESSAGE_RECEIVED', (p: unknown, ack: (r: unknown) => void) => {
      got.push(p);
      ack({ code: 200 });
    });
  });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  h = connect({ url, options: { serviceIdentifier: '1', widgetIdentifier: 'w' } } as unknown as CxSimulatorHandle, {
    resume: { cid: '+1', conv: 'conv-9', customer: {}, name: 'Ann' },
  });
  h.send({ type: 'send', clientId: 'c1', text: 'queued before the history' });
  const line = await until('history', () => h!.of('message').find((m) => m.message.text === 'Welcome back'));
  expect(line.message).toMatchObject({ id: 'h1', sender: 'agent', authorName: 'sam' });
  await until('queued line sent', () => got.length);
  expect(got).toHaveLength(1);
  expect(h.of('ended')).toEqual([]);
});
