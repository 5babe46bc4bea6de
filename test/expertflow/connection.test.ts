/**
 * Which socket.io the widget speaks, and what it does when a server will not let it in.
 * The servers are the real npm packages (socket.io 4, and socket.io 2.5.1 through the
 * `socket.io-v2` alias) or a plain HTTP server that refuses every handshake.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from 'vitest';
import { createSession } from '../../src/core/session';
import type { Session } from '../../src/core/session-api';
import { createExpertFlowStore, startExpertFlowSimulator, type ExpertFlowSimulatorHandle } from '../../src/server/sandbox/expertflow';
import { CONNECT_TRIES, type IoFactory } from '../../src/transports/expertflow/link';
import { createExpertFlowTransport } from '../../src/transports/expertflow/transport';
import { connectTransport, fastIo2, fastIo4, MemoryStorage, START, until, type Harness } from './harness';

let sims: ExpertFlowSimulatorHandle[] = [];
let harnesses: Harness[] = [];
let servers: Server[] = [];
let sessions: Session[] = [];
let warn: MockInstance<typeof console.warn>;
beforeEach(() => {
  warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
});
afterEach(async () => {
  harnesses.forEach((h) => h.transport.close());
  sessions.forEach((s) => s.destroy());
  await Promise.all(sims.map((s) => s.close()));
  await Promise.all(servers.map((s) => new Promise<void>((resolve) => (s.closeAllConnections(), s.close(() => resolve())))));
  sims = [];
  harnesses = [];
  servers = [];
  sessions = [];
  warn.mockRestore();
});

async function simulator(socketio: 2 | 4): Promise<ExpertFlowSimulatorHandle> {
  const sim = await startExpertFlowSimulator({ agent: { delayScale: 0.02 }, socketio });
  sims.push(sim);
  return sim;
}

/** The real clients, counting how often each generation was asked for a socket. */
function counted() {
  const calls = { 4: 0, 2: 0 };
  const io: IoFactory = (uri, opts) => (calls[4]++, fastIo4(uri, opts));
  const loadIo2 = async (): Promise<IoFactory> => (uri, opts) => (calls[2]++, fastIo2(uri, opts));
  return { calls, io, loadIo2 };
}

function connect(server: string, extra: Parameters<typeof connectTransport>[1] = {}): Harness {
  const h = connectTransport(server, extra);
  harnesses.push(h);
  return h;
}

/** A server that answers every request with `status`, counting handshakes per Engine.IO version. */
async function refusing(status: number): Promise<{ url: string; handshakes: { EIO3: number; EIO4: number } }> {
  const handshakes = { EIO3: 0, EIO4: 0 };
  const server = createServer((req, res) => {
    const eio = new URL(req.url ?? '/', 'http://x').searchParams.get('EIO');
    if (eio === '3') handshakes.EIO3++;
    if (eio === '4') handshakes.EIO4++;
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end('{"error":"Forbidden"}');
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, handshakes };
}

const KEY = (url: string) => `confab:expertflow:socketio:${url}`;

describe('ExpertFlow: the socket.io generation', () => {
  it('finds a socket.io 2 server by itself (4 first, then the 2.x client), and remembers it for the session', async () => {
    const sim = await simulator(2);
    const storage = new MemoryStorage();
    const first = counted();
    const h = connect(sim.url, { deps: { io: first.io, loadIo2: first.loadIo2, storage } });
    await until('open', () => h.of('connection').some((e) => e.state === 'open'));
    expect(first.calls).toEqual({ 4: 1, 2: 1 });
    expect(storage.data.get(KEY(sim.url))).toBe('2');
    h.send(START);
    await until('agent', () => h.of('agent')[0]);
    expect(h.of('error')).toEqual([]);

    // The next page of the same session goes straight to socket.io 2.
    const second = counted();
    const again = connect(sim.url, { deps: { io: second.io, loadIo2: second.loadIo2, storage } });
    await until('open again', () => again.of('connection').some((e) => e.state === 'open'));
    expect(second.calls).toEqual({ 4: 0, 2: 1 });
  });

  it('uses socket.io 4 alone against a socket.io 4 server (the 2.x chunk is never loaded)', async () => {
    const sim = await simulator(4);
    const storage = new MemoryStorage();
    const c = counted();
    const h = connect(sim.url, { deps: { io: c.io, loadIo2: c.loadIo2, storage } });
    await until('open', () => h.of('connection').some((e) => e.state === 'open'));
    expect(c.calls).toEqual({ 4: 1, 2: 0 });
    expect(storage.data.get(KEY(sim.url))).toBe('4');
  });

  it('goes back to 4 when a remembered 2 meets a socket.io 4 server (the probe says which)', async () => {
    const sim = await simulator(4);
    const storage = new MemoryStorage();
    storage.setItem(KEY(sim.url), '2');
    const c = counted();
    const h = connect(sim.url, { deps: { io: c.io, loadIo2: c.loadIo2, storage } });
    await until('open', () => h.of('connection').some((e) => e.state === 'open'));
    expect(c.calls).toEqual({ 4: 1, 2: 1 });
    expect(storage.data.get(KEY(sim.url))).toBe('4');
  });

  it('data-socketio="2" connects with the 2.x client at once; "4" never tries the other', async () => {
    const sim = await simulator(2);
    const c = counted();
    const h = connect(sim.url, { options: { socketio: '2' }, deps: { io: c.io, loadIo2: c.loadIo2, storage: new MemoryStorage() } });
    await until('open', () => h.of('connection').some((e) => e.state === 'open'));
    expect(c.calls).toEqual({ 4: 0, 2: 1 });

    // Forced to 4 against a 2.x server: a mismatch that is not bridged, so the bounded error.
    const d = counted();
    const forced = connect(sim.url, { options: { socketio: '4' }, deps: { io: d.io, loadIo2: d.loadIo2, storage: new MemoryStorage() } });
    const err = await until('gave up', () => forced.of('error').find((e) => e.code === 'connect-failed'), 10_000);
    expect(err).toMatchObject({ fatal: false, retryable: true, message: 'The chat server cannot be reached. Please try again.' });
    expect(d.calls).toEqual({ 4: 1, 2: 0 });
    expect(forced.of('connection').some((e) => e.state === 'open')).toBe(false);
  });
});

describe('ExpertFlow: a server that let us in, then goes away for a while', () => {
  it('is waited out beyond the bound (it proved it lets us in), and the chat goes on when it is back', async () => {
    const store = createExpertFlowStore();
    const first = await startExpertFlowSimulator({ agent: { delayScale: 0.02 }, socketio: 2, state: store });
    sims.push(first);
    const h = connect(first.url);
    h.send(START);
    await until('agent', () => h.of('agent')[0]);
    await first.close();
    await until('more tries than the bound', () => h.of('connection').some((e) => (e.attempt ?? 0) > CONNECT_TRIES), 10_000);
    const second = await startExpertFlowSimulator({ agent: { delayScale: 0.02 }, socketio: 2, state: store, port: Number(new URL(first.url).port) });
    sims.push(second);
    await until('open again', () => h.of('connection').filter((e) => e.state === 'open').length === 2, 10_000);
    expect(h.of('error')).toEqual([]);
    store.dispose();
  });
});

describe('ExpertFlow: a server that refuses the handshake', () => {
  it(`gives up after ${CONNECT_TRIES} tries with a clear, translated error with Retry, naming the cause once`, async () => {
    const server = await refusing(403);
    const h = connect(server.url, { locale: 'de' });
    const err = await until('gave up', () => h.of('error').find((e) => e.code === 'connect-failed'), 10_000);
    expect(err).toMatchObject({ fatal: false, retryable: true });
    expect(h.of('connection').at(-1)).toMatchObject({ state: 'closed' });
    // The bound: the first try and the reconnections, plus one Engine.IO 3 probe.
    expect(server.handshakes).toEqual({ EIO4: CONNECT_TRIES, EIO3: 1 });
    // Reconnection attempts are shown as such (one may fall while the probe is out: not news).
    expect(h.of('connection').filter((e) => e.state === 'reconnecting' && e.attempt).length).toBeLessThanOrEqual(CONNECT_TRIES - 1);
    const named = warn.mock.calls.filter((c) => String(c[0]).includes('refused the connection'));
    expect(named).toHaveLength(1);
    expect(String(named[0]?.[0])).toContain(server.url);
  });

  it('a new start after giving up tries the server again (bounded again)', async () => {
    const server = await refusing(404);
    const h = connect(server.url);
    await until('gave up', () => h.of('error').find((e) => e.code === 'connect-failed'), 10_000);
    h.send(START);
    await until('gave up twice', () => h.of('error').filter((e) => e.code === 'connect-failed').length === 2, 10_000);
    // Nothing in between on its own (no endless "Reconnecting"): exactly the bound, twice.
    expect(server.handshakes.EIO4).toBe(2 * CONNECT_TRIES);
  });

  it('the session shows the error with Retry, and Retry connects anew with a new transport', async () => {
    const server = await refusing(403);
    let created = 0;
    const session = createSession({
      loadTransport: async () => (o) => {
        created++;
        return createExpertFlowTransport(o, { io: fastIo4, loadIo2: async () => fastIo2, storage: new MemoryStorage() });
      },
      transportOptions: { options: { server: server.url }, locale: 'fr', pageUrl: 'http://127.0.0.1/', referrer: '', userAgent: 'vitest' },
      storage: new MemoryStorage(),
      storageKey: 'confab:ef-refused',
    });
    sessions.push(session);
    session.open();
    await until('error', () => session.error.value?.code === 'connect-failed', 10_000);
    expect(session.error.value).toMatchObject({ retryable: true, fatal: false });
    expect(session.connection.value).toBe('closed');
    session.open(); // what the banner's Retry does for a connection
    expect(session.error.value).toBeNull();
    await until('second transport', () => created === 2);
    await until('error again', () => session.error.value?.code === 'connect-failed', 10_000);
    expect(server.handshakes.EIO4).toBe(2 * CONNECT_TRIES);
  });
});
