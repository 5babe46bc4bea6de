/**
 * "Start chat" while the socket is down: the Hello cannot go out, and the start must come
 * back as retryable (src/core/contract.ts) so the session offers Retry instead of a wait
 * screen that waits forever. Against the simulator, over a real socket.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket as WS } from 'ws';
import type { Clock } from '../../src/core/contract';
import { createSession } from '../../src/core/session';
import type { Session } from '../../src/core/session-api';
import { startWhosOnSimulator, type WhosOnSimulatorHandle } from '../../src/server/sandbox/whoson';
import { createWhosOnTransport, type WebSocketConstructor } from '../../src/transports/whoson/transport';
import { harness, waitFor, type Harness } from './helpers';

/** A clock whose timers (the transport's reconnect backoff) run only when the test says. */
function heldClock(): Clock & { release(): void } {
  const held = new Map<object, () => void>();
  return {
    now: () => Date.now(),
    setTimeout: (fn) => {
      const handle = {};
      held.set(handle, fn);
      return handle;
    },
    clearTimeout: (handle) => void held.delete(handle as object),
    release() {
      const fns = [...held.values()];
      held.clear();
      for (const fn of fns) fn();
    },
  };
}

const hellos = (sim: WhosOnSimulatorHandle) => sim.received.filter((f) => f.name === 'Hello');

let sim: WhosOnSimulatorHandle;
let open: Harness[] = [];
let sessions: Session[] = [];
beforeAll(async () => {
  sim = await startWhosOnSimulator({ agent: { delayScale: 0.02 } });
});
afterEach(() => {
  for (const h of open) h.transport.close();
  for (const s of sessions) s.destroy();
  open = [];
  sessions = [];
});
afterAll(() => sim.close());

describe('WhosOn: a start while the socket is down', () => {
  it('is a non-fatal, retryable not-connected error, and no Hello goes out', async () => {
    const clock = heldClock();
    const h = harness({ server: sim.url, ...sim.options }, { clock });
    open.push(h);
    await h.next('config');
    const before = hellos(sim).length;
    sim.dropClients();
    await h.next('connection', (e) => e.state === 'reconnecting');
    h.transport.send({ type: 'start', visitor: { name: 'Thomas' }, answers: {} });
    expect(h.of('error')).toEqual([expect.objectContaining({ code: 'not-connected', fatal: false, retryable: true })]);
    // Other commands that fail the same way are not a start: nothing to offer Retry for.
    h.transport.send({ type: 'submit-form', promptId: 'p', fieldName: 'f', value: 'v' });
    expect(h.of('error')[1]).not.toHaveProperty('retryable');
    // Reconnected, the same start goes through as a new chat.
    clock.release();
    await h.next('connection', (e) => e.state === 'open' && h.of('connection').filter((c) => c.state === 'open').length === 2);
    h.transport.send({ type: 'start', visitor: { name: 'Thomas' }, answers: {} });
    await h.next('accepted');
    expect(hellos(sim).length).toBe(before + 1);
  });

  it('the session goes back to the pre-chat step with Retry, and the retried start reaches the server', async () => {
    const clock = heldClock();
    const session = createSession({
      loadTransport: async () => (o) => createWhosOnTransport({ ...o, clock }, { WebSocket: WS as unknown as WebSocketConstructor }),
      transportOptions: { options: { server: sim.url, ...sim.options }, locale: 'en', pageUrl: '', referrer: '', userAgent: 'UA' },
      storage: null,
      storageKey: 'start-offline',
    });
    sessions.push(session);
    session.open();
    await waitFor(() => session.phase.value === 'prechat', 'prechat');
    const before = hellos(sim).length;
    sim.dropClients();
    await waitFor(() => session.connection.value === 'reconnecting', 'reconnecting');

    session.start({ VisitorName: 'Thomas' });
    expect(session.phase.value).toBe('prechat');
    expect(session.error.value).toMatchObject({ code: 'not-connected', fatal: false, retryable: true });

    clock.release();
    await waitFor(() => session.connection.value === 'open', 'reconnected');
    session.start({ VisitorName: 'Thomas' }); // what the error banner's Retry does
    await waitFor(() => session.phase.value === 'waiting' || session.phase.value === 'chatting', 'accepted');
    expect(session.error.value).toBeNull();
    expect(hellos(sim).length).toBe(before + 1);
  });
});
