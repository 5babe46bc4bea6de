/**
 * The sandbox's "drop the visitors" fault (src/server/sandbox/visitor-socket-cutter.ts), from
 * outside the relay: every visitor socket is cut, the session stays, the widget resumes on a
 * new socket; a relay restarted on the same port is watched again.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { VisitorSocketCutter } from '../../src/server/sandbox/visitor-socket-cutter';
import { startStack, visitor, waitFor } from './harness';

const closers: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const c of closers) await c();
});

describe('the sandbox visitor-socket cutter', () => {
  it('cuts every visitor socket; the widgets resume their sessions on new sockets', async () => {
    const stack = await startStack();
    closers.push(() => stack.close());
    const cutter = new VisitorSocketCutter();
    cutter.watch(stack.relay);
    const a = visitor(stack.relay.url);
    const b = visitor(stack.relay.url);
    closers.push(async () => (a.transport.close(), b.transport.close()));
    await waitFor(() => a.of('config').length && b.of('config').length, 'both sessions open');
    expect(cutter.cut()).toBe(2);
    await waitFor(() => a.sockets.length === 2 && b.sockets.length === 2, 'both on new sockets');
    const states = (v: typeof a) => v.events.flatMap((e) => (e.type === 'connection' ? [e.state] : []));
    await waitFor(() => states(a).at(-1) === 'open' && states(b).at(-1) === 'open', 'both open again');
    expect(states(a)).toEqual(['connecting', 'open', 'reconnecting', 'open']);
    // Resumed, not started anew: one config event (the session's), no second hello.
    expect(a.of('config')).toHaveLength(1);
    expect(cutter.cut()).toBe(2);
  });
});
