/** The CX transport wired to the CX simulator over loopback sockets, and its event log. */
import { io } from 'socket.io-client';
import type { Clock, Command, ConfabEvent, EventOf, EventType, Json, Transport } from '../../src/core/contract';
import { startCxSimulator, type CxSimulatorHandle, type CxSimulatorOptions } from '../../src/server/sandbox/expertflow-cx';
import { createCxTransport, type CxDeps } from '../../src/transports/expertflow-cx/transport';

export interface Harness {
  transport: Transport;
  events: ConfabEvent[];
  of<T extends EventType>(type: T): EventOf<T>[];
  send(command: Command): void;
  /** The last resume token the transport emitted. */
  token(): Json | undefined;
  /** REST requests the transport made, as "METHOD url". */
  requests: string[];
}

export async function simulator(opts: CxSimulatorOptions = {}): Promise<CxSimulatorHandle> {
  return startCxSimulator({ agent: { delayScale: 0.02, queueFrom: 0 }, ...opts });
}

export function connect(
  sim: CxSimulatorHandle,
  extra: { options?: Record<string, string>; resume?: Json; deps?: CxDeps; clock?: Clock; visitorId?: string } = {},
): Harness {
  const requests: string[] = [];
  const transport = createCxTransport(
    {
      options: { server: sim.url, ...sim.options, ...extra.options },
      locale: 'en',
      pageUrl: 'http://127.0.0.1:5173/shop',
      referrer: '',
      userAgent: 'vitest',
      visitorId: extra.visitorId ?? 'visitor-1',
      resume: extra.resume,
      clock: extra.clock,
    },
    {
      io: (uri, opts) => io(uri, { ...opts, reconnectionDelay: 50, reconnectionDelayMax: 200 }),
      fetch: (input, init) => {
        requests.push(`${init?.method ?? 'GET'} ${String(input)}`);
        return fetch(input, init);
      },
      ...extra.deps,
    },
  );
  const events: ConfabEvent[] = [];
  transport.connect((e) => events.push(e));
  return {
    transport,
    events,
    requests,
    of: <T extends EventType>(type: T) => events.filter((e): e is EventOf<T> => e.type === type),
    send: (c) => transport.send(c),
    token: () => {
      const r = events.filter((e) => e.type === 'resume');
      return r.length ? (r[r.length - 1] as EventOf<'resume'>).token : undefined;
    },
  };
}

/** Polls until `check` returns a truthy value, or fails with `what` after the deadline. */
export async function until<T>(what: string, check: () => T | undefined | null | false, ms = 8000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export const texts = (h: Harness): string[] => h.of('message').map((e) => e.message.text ?? '');

export const START: Command = { type: 'start', visitor: {}, answers: { name: 'Alice', phone: '+15550100', topic: 'Billing' } };

/** From the start to the human agent's greeting: the bot's button "Talk to an agent". */
export async function toAgent(h: Harness): Promise<void> {
  await until('the pre-chat config', () => h.of('config').length);
  h.send(START);
  const prompt = await until('the bot buttons', () => h.of('branch')[0]);
  h.send({ type: 'choose', promptId: prompt.branch.id, optionId: '0', label: 'Talk to an agent' });
  await until('the agent greeting', () => texts(h).some((t) => t.startsWith('Hello Alice')));
}

export { manualClock } from '../fixtures/manual-clock';
