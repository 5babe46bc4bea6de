import { afterAll, describe, expect, it } from 'vitest';
import {
  createExpertFlowStore,
  startExpertFlowSimulator,
  type ExpertFlowSimulatorHandle,
} from '../../src/server/sandbox/expertflow';
import type { Harness } from './harness';
import { connectTransport, GENERATIONS, messageTexts, START, until } from './harness';

/** Each text shown under exactly one message id (the core de-duplicates by id). */
function idsByText(h: Harness): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const e of h.of('message')) {
    const text = e.message.text ?? '';
    out.set(text, (out.get(text) ?? new Set()).add(e.message.id));
  }
  return out;
}

/**
 * Simulators that share one store, so a restart on the same port keeps the conversations (as
 * ExpertFlow's database would); they and the transport close after the describe block.
 */
function restartingServer(socketio: 2 | 4) {
  const store = createExpertFlowStore();
  const sims: ExpertFlowSimulatorHandle[] = [];
  const harnesses: Harness[] = [];
  afterAll(async () => {
    harnesses.forEach((h) => h.transport.close());
    await Promise.all(sims.map((s) => s.close()));
    store.dispose();
  });
  return {
    store,
    async start(port?: number): Promise<ExpertFlowSimulatorHandle> {
      const sim = await startExpertFlowSimulator({ agent: { delayScale: 0.02 }, state: store, socketio, ...(port !== undefined && { port }) });
      sims.push(sim);
      return sim;
    },
    connect(url: string): Harness {
      const h = connectTransport(url);
      harnesses.push(h);
      return h;
    },
  };
}

// Every case on both server generations: the real socket.io 4 and 2.5 servers.
describe.each(GENERATIONS)('socket.io %i server', (socketio) => {
  describe('ExpertFlow: the server restarts mid-chat on the same port', () => {
    const { store, start, connect } = restartingServer(socketio);

    it('reconnects, rejoins, reconciles from conversationInfo, and loses or doubles no line', async () => {
      const first = await start();
      const port = Number(new URL(first.url).port);
      const h = connect(first.url);
      h.send(START);
      const id = (await until('accepted', () => h.of('accepted')[0])).chatId ?? '';
      await until('greeting', () => messageTexts(h).find((t) => t.startsWith('Hello')));
      h.send({ type: 'send', clientId: 'c-1', text: 'before the restart' });
      await until('echo 1', () => h.of('message').find((e) => e.message.clientId === 'c-1'));
      await until('reply 1', () => messageTexts(h).find((t) => t.includes('"before the restart"')));

      await first.close();
      await until('reconnecting', () => h.of('connection').find((e) => e.state === 'reconnecting' && e.attempt));
      // Written while the socket server is down: the visitor's line waits, the agent's goes to history.
      h.send({ type: 'send', clientId: 'c-2', text: 'while the server is down' });
      store.conversations.get(id)?.history.push({
        conversationId: id,
        type: 'ChatMessage',
        timestamp: new Date().toISOString(),
        from: { id: `agent-${id.slice(-6)}`, name: 'Alex Morgan' },
        to: [],
        text: 'written while you were away',
        attachments: [],
      });

      const second = await start(port);
      expect(second.url).toBe(first.url);
      await until('rejoined', () => second.received.find((f) => f.name === 'joinConversation'));
      await until('echo 2', () => h.of('message').find((e) => e.message.clientId === 'c-2'));
      await until('away line', () => messageTexts(h).includes('written while you were away'));
      await until('reply 2', () => messageTexts(h).find((t) => t.includes('"while the server is down"')));

      // The core's outbox may resend after a reconnect: both lines are already confirmed.
      h.send({ type: 'send', clientId: 'c-1', text: 'before the restart' });
      h.send({ type: 'send', clientId: 'c-2', text: 'while the server is down' });
      h.send({ type: 'send', clientId: 'c-3', text: 'after the restart' });
      await until('echo 3', () => h.of('message').find((e) => e.message.clientId === 'c-3'));

      const sent = [...first.received, ...second.received]
        .filter((f) => f.name === 'sendMessage' && (f.payload as { type?: string }).type === 'ChatMessage')
        .map((f) => (f.payload as { text: string }).text);
      expect(sent).toEqual(['before the restart', 'while the server is down', 'after the restart']);
      const history = store.conversations.get(id)?.history.filter((m) => m.type === 'ChatMessage').map((m) => m.text);
      for (const text of ['before the restart', 'while the server is down', 'after the restart', 'written while you were away']) {
        expect(history?.filter((t) => t === text), text).toHaveLength(1);
      }
      for (const [text, ids] of idsByText(h)) expect(ids.size, text).toBe(1);
      expect(second.received.filter((f) => f.name === 'POST /api/customer/init')).toHaveLength(0);
      expect(h.of('connection').filter((e) => e.state === 'open')).toHaveLength(2);
      expect(h.of('agent').filter((e) => e.action === 'joined')).toHaveLength(1);
      expect(h.of('error')).toHaveLength(0);
    });
  });

  describe('ExpertFlow: a line lost on the wire when the server goes down', () => {
    const { store, start, connect } = restartingServer(socketio);

    it('goes out again exactly once when the outbox resends it after the rejoin, however often it asks', async () => {
      const first = await start();
      const h = connect(first.url);
      h.send(START);
      const id = (await until('accepted', () => h.of('accepted')[0])).chatId ?? '';
      await until('greeting', () => messageTexts(h).find((t) => t.startsWith('Hello')));

      const closing = first.close();
      // The client still believes it is connected: the frame is written and lost with the server.
      h.send({ type: 'send', clientId: 'lost', text: 'lost in flight' });
      await closing;
      await until('reconnecting', () => h.of('connection').find((e) => e.state === 'reconnecting' && e.attempt));
      expect(store.conversations.get(id)?.history.some((m) => m.text === 'lost in flight')).toBe(false);
      h.send({ type: 'send', clientId: 'lost', text: 'lost in flight' }); // the outbox retries while down

      const second = await start(Number(new URL(first.url).port));
      await until('echo', () => h.of('message').find((e) => e.message.clientId === 'lost'));
      h.send({ type: 'send', clientId: 'lost', text: 'lost in flight' }); // and once more after
      h.send({ type: 'send', clientId: 'later', text: 'later line' });
      await until('echo later', () => h.of('message').find((e) => e.message.clientId === 'later'));

      const texts = store.conversations.get(id)?.history.filter((m) => m.type === 'ChatMessage').map((m) => m.text);
      expect(texts?.filter((t) => t === 'lost in flight')).toHaveLength(1);
      expect(second.received.filter((f) => (f.payload as { text?: string }).text === 'lost in flight')).toHaveLength(1);
    });
  });

  describe('ExpertFlow: a page reload resumes the conversation', () => {
    let sim: ExpertFlowSimulatorHandle;
    afterAll(() => sim.close());

    it('rejoins with the resume token instead of initiating again, and restores history under the same ids', async () => {
      sim = await startExpertFlowSimulator({ agent: { delayScale: 0.02 }, socketio });
      const before = connectTransport(sim.url);
      before.send(START);
      await until('greeting', () => messageTexts(before).find((t) => t.startsWith('Hello')));
      before.send({ type: 'send', clientId: 'c-1', text: 'first page' });
      await until('reply', () => messageTexts(before).find((t) => t.includes('"first page"')));
      const token = before.of('resume').at(-1)?.token;
      expect(token).toBeTruthy();
      before.transport.close();

      const after = connectTransport(sim.url, { resume: token });
      await until('history', () => messageTexts(after).find((t) => t.includes('"first page"')));
      const seen = new Map(before.of('message').map((e) => [e.message.text, e.message.id]));
      for (const e of after.of('message')) if (seen.has(e.message.text)) expect(e.message.id).toBe(seen.get(e.message.text));
      expect(after.of('message').find((e) => e.message.text === 'first page')?.message.sender).toBe('visitor');
      expect(after.of('agent')).toMatchObject([{ action: 'joined', agent: { name: 'Alex Morgan' } }]);
      expect(sim.received.filter((f) => f.name === 'POST /api/customer/init')).toHaveLength(1);
      expect(sim.received.filter((f) => f.name === 'joinConversation')).toHaveLength(2);

      after.send({ type: 'send', clientId: 'c-2', text: 'second page' });
      await until('echo on the new page', () => after.of('message').find((e) => e.message.clientId === 'c-2'));
      after.transport.close();
    });
  });

  describe('ExpertFlow: the same words again while the server is down', () => {
    const { store, start, connect } = restartingServer(socketio);

    it('sends the second "ok" after the rejoin: the first one in the history is not taken for its echo', async () => {
      const first = await start();
      const h = connect(first.url);
      h.send(START);
      const id = (await until('accepted', () => h.of('accepted')[0])).chatId ?? '';
      await until('greeting', () => messageTexts(h).find((t) => t.startsWith('Hello')));
      h.send({ type: 'send', clientId: 'ok-1', text: 'ok' });
      const echo1 = await until('echo 1', () => h.of('message').find((e) => e.message.clientId === 'ok-1'));

      await first.close();
      await until('reconnecting', () => h.of('connection').find((e) => e.state === 'reconnecting' && e.attempt));
      h.send({ type: 'send', clientId: 'ok-2', text: 'ok' });

      const second = await start(Number(new URL(first.url).port));
      await until('rejoined', () => second.received.find((f) => f.name === 'joinConversation'));
      const echo2 = await until('echo 2', () => h.of('message').find((e) => e.message.clientId === 'ok-2'));
      // The core's outbox resends after the reconnect: still once on the wire.
      h.send({ type: 'send', clientId: 'ok-2', text: 'ok' });
      h.send({ type: 'send', clientId: 'later', text: 'later line' });
      await until('echo later', () => h.of('message').find((e) => e.message.clientId === 'later'));

      const okFrames = (sim: ExpertFlowSimulatorHandle) =>
        sim.received.filter((f) => f.name === 'sendMessage' && (f.payload as { text?: string }).text === 'ok');
      expect(okFrames(first)).toHaveLength(1);
      expect(okFrames(second)).toHaveLength(1);
      const history = store.conversations.get(id)?.history.filter((m) => m.type === 'ChatMessage' && m.text === 'ok');
      expect(history).toHaveLength(2);
      expect(echo2.message.id).not.toBe(echo1.message.id);
      // The history's copy of the first "ok" still belongs to the first line, never to the second.
      const ids = new Map(h.of('message').filter((e) => e.message.clientId).map((e) => [e.message.id, e.message.clientId]));
      expect(ids.get(echo1.message.id)).toBe('ok-1');
      expect(ids.get(echo2.message.id)).toBe('ok-2');
    });
  });
});
