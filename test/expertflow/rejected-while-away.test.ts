/**
 * `noAgentAvailable` that happened while the widget was not listening (the socket server
 * restarting, the visitor changing pages) reaches the widget only in the rejoin's
 * `conversationInfo` history: the visitor must be told, not left waiting for nobody.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Json } from '../../src/core/contract';
import {
  createExpertFlowStore,
  startExpertFlowSimulator,
  type ExpertFlowSimulatorHandle,
  type ExpertFlowStore,
} from '../../src/server/sandbox/expertflow';
import type { Harness } from './harness';
import { connectTransport, messageTexts, START, until } from './harness';

// Nobody picks up: the paging timeout ends the wait before the agent would join (at 1 s).
const UNANSWERED = { queueFrom: 0, pageTimeoutMs: 600 };
// The server's own no-agent line is an undocumented extra (`info.text`), asked for here.
const NO_AGENT = 'No operators are available at this time. Operators may only be available during office hours.';

let sims: ExpertFlowSimulatorHandle[] = [];
let harnesses: Harness[] = [];
let stores: ExpertFlowStore[] = [];
afterEach(async () => {
  harnesses.forEach((h) => h.transport.close());
  await Promise.all(sims.map((s) => s.close()));
  stores.forEach((s) => s.dispose());
  sims = [];
  harnesses = [];
  stores = [];
});

async function simulator(opts: Parameters<typeof startExpertFlowSimulator>[0]): Promise<ExpertFlowSimulatorHandle> {
  const sim = await startExpertFlowSimulator(opts);
  sims.push(sim);
  return sim;
}

function connect(url: string, resume?: Json): Harness {
  const h = connectTransport(url, { resume });
  harnesses.push(h);
  return h;
}

const rejectedInHistory = (store: ExpertFlowStore, id: string) =>
  store.conversations.get(id)?.history.some((m) => m.activityType === 'noAgentAvailable');

describe('ExpertFlow: no agent available while the widget was away', () => {
  it('is reported as rejected when the restarted server\'s history ends with it', async () => {
    const store = createExpertFlowStore();
    stores.push(store);
    const first = await simulator({ agent: UNANSWERED, state: store, extras: ['text'] });
    const h = connect(first.url);
    h.send(START);
    const id = (await until('accepted', () => h.of('accepted')[0])).chatId ?? '';
    await until('paging', () => h.of('waiting')[0]);

    await first.close();
    await until('rejected on the server', () => rejectedInHistory(store, id));
    expect(h.of('rejected')).toHaveLength(0);
    h.send({ type: 'send', clientId: 'c-1', text: 'anyone there?' });

    const second = await simulator({ agent: UNANSWERED, state: store, port: Number(new URL(first.url).port), extras: ['text'] });
    const rejected = await until('rejected', () => h.of('rejected')[0]);
    expect(rejected.reason).toBe(NO_AGENT);
    expect(h.of('resume').at(-1)?.token).toBeNull();
    // Nothing more goes to a conversation that is over, however long the widget stays.
    await new Promise((r) => setTimeout(r, 200));
    h.send({ type: 'send', clientId: 'c-1', text: 'anyone there?' });
    expect(second.received.filter((f) => f.name === 'sendMessage')).toHaveLength(0);
    expect(h.of('rejected')).toHaveLength(1);
    // Not silently: the line is refused out loud, and the conversation is closed on the server.
    expect(h.of('error').map((e) => e.code)).toContain('send-failed');
    expect(second.received.filter((f) => f.name === 'endConversation')).toHaveLength(1);
    expect(second.violations).toEqual([]);
  });

  it('is reported as rejected on the page the visitor went to meanwhile', async () => {
    const sim = await simulator({ agent: UNANSWERED, extras: ['text'] });
    const before = connect(sim.url);
    before.send(START);
    const id = (await until('accepted', () => before.of('accepted')[0])).chatId ?? '';
    await until('paging', () => before.of('waiting')[0]);
    const token = before.of('resume').at(-1)?.token;
    before.transport.close();
    await until('rejected on the server', () => rejectedInHistory(sim.state, id));

    const after = connect(sim.url, token);
    const rejected = await until('rejected', () => after.of('rejected')[0]);
    expect(rejected.reason).toBe(NO_AGENT);
    expect(sim.received.filter((f) => f.name === 'POST /api/customer/init')).toHaveLength(1);
  });

  it('is not reported when an agent joined after it (the history, not the first word, decides)', async () => {
    const sim = await simulator({ agent: { delayScale: 0.02 } });
    const before = connect(sim.url);
    before.send(START);
    const id = (await until('accepted', () => before.of('accepted')[0])).chatId ?? '';
    await until('greeting', () => messageTexts(before).find((t) => t.startsWith('Hello')));
    const token = before.of('resume').at(-1)?.token;
    before.transport.close();
    // An earlier refusal, then the request was handed on and answered.
    const c = sim.state.conversations.get(id);
    c?.history.unshift({ conversationId: id, type: 'ActivityMessage', activityType: 'noAgentAvailable', to: [], info: { text: NO_AGENT } });

    const after = connect(sim.url, token);
    await until('agent', () => after.of('agent')[0]);
    await until('history', () => messageTexts(after).find((t) => t.startsWith('Hello')));
    after.send({ type: 'send', clientId: 'c-1', text: 'still here' });
    await until('echo', () => after.of('message').find((e) => e.message.clientId === 'c-1'));
    expect(after.of('rejected')).toHaveLength(0);
  });
});
