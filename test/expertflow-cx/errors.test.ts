/**
 * What goes wrong with CX: the chat request refused by ERRORS (Retry works), a socket refused by
 * the server's auth middleware (fatal, not "reconnecting" for ever: the 3.x lesson), a server that
 * cannot be reached, unreadable frames, a missing widget configuration.
 */
import { Server } from 'socket.io';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { CxSimulatorHandle } from '../../src/server/sandbox/expertflow-cx';
import { connect, simulator, START, until, type Harness } from './harness';

let sim: CxSimulatorHandle | undefined;
let h: Harness | undefined;
afterEach(async () => {
  h?.transport.close();
  h = undefined;
  await sim?.close();
  sim = undefined;
});

describe('ExpertFlow CX errors', () => {
  it('ERRORS for CHAT_REQUESTED is a retryable start failure; the Retry is accepted', async () => {
    sim = await simulator();
    sim.failNextStart(500);
    h = connect(sim);
    await until('config', () => h!.of('config').length);
    h.send(START);
    const e = await until('start error', () => h!.of('error').find((x) => x.code === 'start-failed'));
    expect(e).toMatchObject({ retryable: true, fatal: false });
    h.send(START);
    await until('accepted', () => h!.of('accepted').length);
    expect(sim.violations).toEqual([]);
  });

  it('a socket the server refuses at its auth is a fatal error, not endless reconnecting', async () => {
    sim = await simulator();
    h = connect(sim, { options: { serviceIdentifier: 'wrong' } });
    await until('config', () => h!.of('config').length);
    h.send(START);
    const e = await until('refused', () => h!.of('error').find((x) => x.code === 'refused'));
    expect(e.fatal).toBe(true);
    expect(sim.violations).toEqual(['socket without auth {serviceIdentifier, channelCustomerIdentifier}']);
  });

  it('a server that cannot be reached: reconnecting, and after five failures an error that says so', async () => {
    // A port that was free a moment ago: nothing listens.
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as AddressInfo).port;
    await new Promise((r) => probe.close(r));
    sim = await simulator();
    h = connect(sim, { options: { server: `http://127.0.0.1:${port}`, ccmUrl: sim.url, fileServerUrl: sim.url } });
    await until('config', () => h!.of('config').length);
    h.send(START);
    await until('unreachable', () => h!.of('error').find((x) => x.code === 'unreachable'), 15_000);
    expect(h.of('connection').filter((c) => c.state === 'reconnecting').length).toBeGreaterThanOrEqual(5);
    expect(h.of('error').some((x) => x.fatal)).toBe(false);
  });

  it('unreadable frames are non-fatal errors; the chat goes on', async () => {
    // A CX-speaking server of the test's own that sends garbage between good frames.
    // It has no widget configuration: 404 for everything but the socket.
    const http = createServer((req, res) => {
      if (req.url?.startsWith('/socket.io')) return;
      res.writeHead(404);
      res.end();
    });
    const io = new Server(http);
    io.on('connection', (s) => {
      s.on('CHAT_REQUESTED', () => {
        s.emit('CHANNEL_SESSION_STARTED', { header: {} });
        s.emit('CHANNEL_SESSION_STARTED', { header: { conversationId: 'conv-1' } });
        s.emit('MESSAGE_RECEIVED', 'not a message');
        s.emit('MESSAGE_RECEIVED', { id: 'm1', header: { sender: { type: 'BOT' } }, body: { type: 'PLAIN', markdownText: 'still here' } });
      });
    });
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
    try {
      const h2 = connect({ url, options: { serviceIdentifier: '1', widgetIdentifier: 'w' } } as unknown as CxSimulatorHandle);
      h = h2;
      await until('config', () => h2.of('config').length);
      h2.send(START);
      await until('line', () => h2.of('message').find((m) => m.message.text === 'still here'));
      expect(h2.of('error').filter((e) => e.code === 'bad-frame')).toHaveLength(2);
      expect(h2.of('error').find((e) => e.code === 'config-failed')).toBeTruthy();
      expect(h2.of('accepted')).toHaveLength(1);
    } finally {
      h?.transport.close();
      h = undefined;
      await new Promise((r) => io.close(r));
    }
  });

  it('without data-service-identifier nothing is fetched or opened: one fatal configuration error', async () => {
    sim = await simulator();
    h = connect(sim, { options: { serviceIdentifier: '' } });
    expect(h.of('error')).toEqual([expect.objectContaining({ code: 'bad-config', fatal: true })]);
    expect(h.requests).toEqual([]);
  });
});
