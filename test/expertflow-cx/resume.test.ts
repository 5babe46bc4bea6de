/**
 * Resuming a CX chat: after a page change (a new transport with the resume token), after the server
 * cut the socket, in both SDK generations (CHAT_RESUMED's ack, and the newer CONVERSATION_RESUMED);
 * a chat the server no longer has; the same chat opened in another tab (SESSION_REPLACED).
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { CxSimulatorHandle } from '../../src/server/sandbox/expertflow-cx';
import { connect, simulator, texts, toAgent, until, type Harness } from './harness';

let sim: CxSimulatorHandle;
const open: Harness[] = [];
const track = (h: Harness): Harness => (open.push(h), h);
afterEach(async () => {
  for (const h of open.splice(0)) h.transport.close();
  expect(sim.violations).toEqual([]);
  await sim.close();
});

const frames = (name: string) => sim.received.filter((f) => f.name === name).map((f) => f.payload as Record<string, any>);

describe.each(['newer', 'older'] as const)('ExpertFlow CX resume (%s server)', (generation) => {
  it('a page change resumes the chat with CHAT_RESUMED: history back, no new request, lines go on', async () => {
    sim = await simulator({ generation });
    const first = track(connect(sim));
    await toAgent(first);
    first.send({ type: 'send', clientId: 'c1', text: 'first line' });
    await until('echo', () => first.of('message').some((m) => m.message.clientId === 'c1'));
    const token = first.token();
    first.transport.close();

    const second = track(connect(sim, { resume: token }));
    await until('history', () => texts(second).includes('first line'));
    expect(texts(second)).toContain('Hello Alice, my name is Alex. How can I help you today?');
    expect(second.of('message').find((m) => m.message.text === 'first line')!.message.sender).toBe('visitor');
    expect(frames('CHAT_REQUESTED')).toHaveLength(1);
    expect(frames('CHAT_RESUMED')).toEqual([{ serviceIdentifier: '5155', channelCustomerIdentifier: '+15550100' }]);
    expect(frames('handshake').at(-1)).toEqual({ serviceIdentifier: '5155', channelCustomerIdentifier: '+15550100' });
    second.send({ type: 'send', clientId: 'c2', text: 'after the reload' });
    await until('reply', () => texts(second).some((t) => t.includes('"after the reload"')));
    // After the reload an upload still carries the token (the newer server sends it again);
    // an older server generates none, and the upload goes without.
    second.send({ type: 'send-file', clientId: 'f1', file: new Blob(['hi'], { type: 'text/plain' }), name: 'note.txt' });
    await until('file echo', () => second.of('message').find((m) => m.message.clientId === 'f1'));
    const upload = sim.received.find((f) => f.name === 'POST /api/uploadFileStream')!.payload as { authorization: string };
    expect(upload.authorization).toMatch(generation === 'newer' ? /^Bearer ey/ : /^$/);
  });

  it('the server cuts the socket: the transport reconnects, resumes, and a line written meanwhile goes out once', async () => {
    sim = await simulator({ generation });
    const h = track(connect(sim));
    await toAgent(h);
    expect(sim.dropClients()).toBe(1);
    await until('reconnecting', () => h.of('connection').some((e) => e.state === 'reconnecting'));
    h.send({ type: 'send', clientId: 'c1', text: 'written while away' });
    await until('echo', () => h.of('message').find((m) => m.message.clientId === 'c1'));
    expect(frames('CHAT_RESUMED')).toHaveLength(1);
    expect(frames('MESSAGE_RECEIVED').filter((p) => p.body.markdownText === 'written while away')).toHaveLength(1);
    // The core's outbox resends on reconnection: the acked line is not sent again.
    h.send({ type: 'send', clientId: 'c1', text: 'written while away' });
    expect(frames('MESSAGE_RECEIVED').filter((p) => p.body.markdownText === 'written while away')).toHaveLength(1);
  });

  it('a chat the server no longer has (isChatAvailable false) ends as lost, and is forgotten', async () => {
    sim = await simulator({ generation });
    const first = track(connect(sim));
    await toAgent(first);
    const token = first.token();
    first.transport.close();
    sim.endAll();
    const second = track(connect(sim, { resume: token }));
    const ended = await until('ended', () => second.of('ended')[0]);
    expect(ended).toMatchObject({ by: 'system', text: 'The connection was lost and the chat could not be resumed. You can start a new chat.' });
  });
});

describe('ExpertFlow CX, the same chat in two tabs (newer server)', () => {
  it('the older tab hears SESSION_REPLACED: it stops and says the chat goes on elsewhere, without ending it', async () => {
    sim = await simulator();
    const first = track(connect(sim));
    await toAgent(first);
    const second = track(connect(sim, { resume: first.token() }));
    await until('second tab resumed', () => texts(second).some((t) => t.startsWith('Hello Alice')));
    const kicked = await until('kicked', () => first.of('error').find((e) => e.code === 'kicked'));
    expect(kicked).toMatchObject({ fatal: false, message: expect.stringContaining('another tab') });
    expect(first.of('ended')).toEqual([]);
    expect(frames('CHAT_ENDED')).toEqual([]);
    second.send({ type: 'send', clientId: 'c9', text: 'from the new tab' });
    await until('reply in the new tab', () => texts(second).some((t) => t.includes('"from the new tab"')));
    expect(texts(first).some((t) => t.includes('from the new tab'))).toBe(false);
  });
});
