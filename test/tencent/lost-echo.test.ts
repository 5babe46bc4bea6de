/**
 * A visitor line whose echo (the reply to its send) is lost: the core re-sends it with the
 * same client id on the next connection, and after a reload. The desk must get it once, and
 * the widget show it once, sent. Session and transport over a real socket to the simulator;
 * the socket class is wrapped to lose a frame where the network would.
 */
import { WebSocket as NodeWebSocket } from 'ws';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { StorageLike } from '../../src/core/persistence';
import { createSession } from '../../src/core/session';
import type { Session } from '../../src/core/session-api';
import type { TencentSimulatorHandle } from '../../src/server/sandbox/tencent';
import { closeSimulators, closeWidgets, frames, simulator, waitFor, widget, memory, createTransport } from './harness';

type Fault = { lose: 'reply' | 'request'; text: string; cut: boolean };
let fault: Fault | undefined;
const sockets: Lossy[] = [];

type Listener = ((ev: NodeWebSocket.MessageEvent) => void) | null;
const onmessage = Object.getOwnPropertyDescriptor(NodeWebSocket.prototype, 'onmessage')!;

/** The browser WebSocket the loopback client uses, losing one frame of the `fault`'s text. */
class Lossy extends NodeWebSocket {
  constructor(url: string) {
    super(url);
    sockets.push(this);
    // The client reads replies through `onmessage`: the one it sets gets all but the lost frame.
    Object.defineProperty(this, 'onmessage', {
      get: () => onmessage.get!.call(this) as Listener,
      set: (listener: Listener) =>
        onmessage.set!.call(this, (ev: NodeWebSocket.MessageEvent) => {
          const f = fault;
          if (f?.lose === 'reply' && carries(String(ev.data), 'reply', f.text)) {
            fault = undefined;
            if (f.cut) this.terminate();
            return;
          }
          listener?.(ev);
        }),
    });
  }
  override send(data: string): void {
    const f = fault;
    if (f?.lose === 'request' && carries(data, 'send', f.text)) {
      fault = undefined;
      if (f.cut) this.terminate();
      return;
    }
    super.send(data);
  }
}

function carries(raw: string, op: string, text: string): boolean {
  const frame = JSON.parse(raw) as { op?: string; message?: { text?: string; payload?: { text?: string } } };
  return frame.op === op && (frame.message?.text ?? frame.message?.payload?.text) === text;
}

const realWebSocket = globalThis.WebSocket;
// A send cut with the socket is logged by the transport; that is expected here.
beforeEach(() => void vi.spyOn(console, 'warn').mockImplementation(() => {}));
afterEach(() => {
  vi.restoreAllMocks();
  fault = undefined;
  sockets.length = 0;
  sessions.splice(0).forEach((s) => s.destroy());
  (globalThis as { WebSocket?: unknown }).WebSocket = realWebSocket;
});
afterEach(closeWidgets);
afterAll(closeSimulators);

const sessions: Session[] = [];
function page(sim: TencentSimulatorHandle, storage: StorageLike): Session {
  (globalThis as { WebSocket?: unknown }).WebSocket = Lossy;
  const session = createSession({
    loadTransport: async () => createTransport,
    transportOptions: { options: sim.options, locale: 'en', pageUrl: 'http://127.0.0.1/', referrer: '', userAgent: 'vitest' },
    storage,
    storageKey: 'confab-tencent',
  });
  sessions.push(session);
  return session;
}

async function chatting(s: Session): Promise<void> {
  s.open();
  await waitFor(() => s.phase.value === 'prechat', 'the pre-chat step');
  s.start({});
  await waitFor(() => s.transcript.value.some((i) => i.kind === 'branch'), 'the welcome branch');
}

const visitorLines = (s: Session) =>
  s.transcript.value.flatMap((i) => (i.kind === 'message' && i.sender === 'visitor' ? [[i.text, i.status]] : []));
const atDesk = (sim: TencentSimulatorHandle, text: string) => frames(sim, 'text').filter((f) => f.text === text).length;
/** Long enough for a second copy (the bot answers visitor text within a few ms here) to show. */
const settle = () => new Promise((r) => setTimeout(r, 400));

describe('Tencent: a visitor line whose echo is lost', () => {
  it('with the socket: after the reconnection the desk has it once and the widget shows it once, sent', async () => {
    const sim = await simulator();
    const s = page(sim, memory());
    await chatting(s);
    fault = { lose: 'reply', text: 'only once please', cut: true };
    s.send('only once please');
    await waitFor(() => sockets.length === 2 && s.connection.value === 'open', 'the reconnection');
    await waitFor(() => visitorLines(s).some(([, status]) => status === 'sent'), 'the line confirmed');
    await settle();
    expect(atDesk(sim, 'only once please')).toBe(1);
    expect(visitorLines(s)).toEqual([['only once please', 'sent']]);
  });

  it('that never reached the desk (cut before it left) is sent once after the reconnection', async () => {
    const sim = await simulator();
    const s = page(sim, memory());
    await chatting(s);
    fault = { lose: 'request', text: 'lost on the way', cut: true };
    s.send('lost on the way');
    await waitFor(() => atDesk(sim, 'lost on the way') === 1, 'the line at the desk after the reconnection');
    await waitFor(() => visitorLines(s).some(([, status]) => status === 'sent'), 'the line confirmed');
    await settle();
    expect(atDesk(sim, 'lost on the way')).toBe(1);
    expect(visitorLines(s)).toEqual([['lost on the way', 'sent']]);
  });

  it('when the page is left before it came: the reloaded page does not send it again and shows it once, sent', async () => {
    const sim = await simulator();
    const storage = memory();
    const first = page(sim, storage);
    await chatting(first);
    // The same text earlier in the chat must not be taken for the line in doubt.
    first.send('see you');
    await waitFor(() => visitorLines(first).some(([, status]) => status === 'sent'), 'the first line confirmed');
    await new Promise((r) => setTimeout(r, 2100)); // past CLAIM_SLACK_MS: another second on the desk's clock
    fault = { lose: 'reply', text: 'see you', cut: false };
    first.send('see you');
    await waitFor(() => atDesk(sim, 'see you') === 2, 'the second line at the desk');
    first.destroy(); // leaving the page writes what is pending
    expect(storage.dump()).toMatch(/"status":"sending"/);

    const again = page(sim, storage);
    await waitFor(() => again.connection.value === 'open', 'the reloaded page to connect');
    await waitFor(() => visitorLines(again).every(([, status]) => status === 'sent'), 'the line confirmed from history');
    await settle();
    expect(atDesk(sim, 'see you')).toBe(2);
    expect(visitorLines(again)).toEqual([
      ['see you', 'sent'],
      ['see you', 'sent'],
    ]);
  });

  it('on a connection that stays up: a retry of the same client id finds it in history and echoes it instead', async () => {
    const sim = await simulator();
    (globalThis as { WebSocket?: unknown }).WebSocket = Lossy;
    const w = widget(sim, 'retrier');
    await w.next('connection', (e) => e.state === 'open');
    w.send({ type: 'start', visitor: {}, answers: {} });
    await w.next('branch');
    fault = { lose: 'reply', text: 'are you there?', cut: false };
    w.send({ type: 'send', clientId: 'r-1', text: 'are you there?' });
    await waitFor(() => atDesk(sim, 'are you there?') === 1, 'the line at the desk');
    // The core's timeout marked it failed; the visitor presses "retry".
    w.send({ type: 'send', clientId: 'r-1', text: 'are you there?' });
    const echo = await w.next('message', (e) => e.message.clientId === 'r-1');
    expect(echo.message).toMatchObject({ sender: 'visitor', text: 'are you there?' });
    await settle();
    expect(atDesk(sim, 'are you there?')).toBe(1);
  });
});
