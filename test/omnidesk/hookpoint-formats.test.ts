import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { saysNoAgents } from '../../src/server/relay/adapters/omnidesk';
import { hookUrl, visitor, waitFor } from '../relay/harness';
import { describeEachStore, stackPerSuite } from '../relay/stores';

const fixture = (name: string, session = ''): Record<string, unknown> =>
  JSON.parse(readFileSync(new URL(`../fixtures/omnidesk/${name}`, import.meta.url), 'utf8').replace('SESSION', session));

describe('Omnidesk requestChatConfig', () => {
  it('reads requestChatConfig’s no-agents instruction, and its absence', () => {
    expect(saysNoAgents(fixture('requestChatConfig-no-agents.json'))).toBe(true);
    expect(saysNoAgents(fixture('requestChatConfig-agents.json'))).toBe(false);
  });
});

describeEachStore((newStore) => {
  const stack = stackPerSuite(() => ({ store: newStore() }));

  async function chat() {
    const v = visitor(stack().relay.url);
    v.transport.send({ type: 'start', visitor: {}, answers: {} });
    const id = String((await waitFor(() => v.of('accepted')[0], 'accepted')).chatId);
    await waitFor(() => v.of('message').some((e) => e.message.text?.startsWith('Hello')), 'greeting');
    return { v, id, hook: (route: string) => hookUrl(stack().sim, id, route) };
  }

  describe('Omnidesk hookpoints accept the document’s fields in every body format', () => {
    it('turns messageForCustomer (JSON) from a new agent into "agent joined" + the message', async () => {
      const { v, id, hook } = await chat();
      const res = await fetch(hook('messageForCustomer'), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(fixture('messageForCustomer.json', id)),
      });
      expect(res.status).toBe(200);
      const msg = await waitFor(() => v.of('message').find((e) => e.message.text === 'Hi, how can I help?'), 'message');
      expect(msg.message).toMatchObject({ sender: 'agent', authorName: 'Sam Agent' });
      expect(v.of('agent').map((e) => e.agent.name)).toEqual(['Alex Morgan', 'Sam Agent']);
      expect(v.of('agent')[1]!.agent.avatar).toBe('https://cdn.example.com/agents/sam.png');
      v.transport.close();
    });

    it('reads typing as JSON boolean and as form string, matching SessionID case-insensitively', async () => {
      const { v, id, hook } = await chat();
      const before = v.of('typing').length;
      await fetch(hook('typingIndicatorForCustomer'), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(fixture('typingIndicatorForCustomer.json', id)),
      });
      await fetch(hook('typingIndicatorForCustomer'), {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ typing: 'false', sessionid: id }).toString(),
      });
      await waitFor(() => v.of('typing').length === before + 2, 'two typing events');
      expect(v.of('typing').slice(before).map((e) => e.on)).toEqual([true, false]);
      v.transport.close();
    });

    it('finds the session by `chatSessionID` too (the name the relay gave it to Omnidesk)', async () => {
      const { v, id, hook } = await chat();
      const form = new FormData();
      form.set('chatSessionID', id);
      form.set('name', 'Sam Agent');
      form.set('message', 'found by chatSessionID');
      expect((await fetch(hook('messageForCustomer'), { method: 'POST', body: form })).status).toBe(200);
      await waitFor(() => v.of('message').find((e) => e.message.text === 'found by chatSessionID'), 'message');
      const end = await fetch(`${hook('endSession')}?chatSessionID=${id}`, { method: 'POST' });
      expect(end.status).toBe(200);
      expect((await waitFor(() => v.of('ended')[0], 'ended')).by).toBe('agent');
      v.transport.close();
    });

    it('carries agent HTML raw in `html`, drops an unsafe avatar, and ends on endSession', async () => {
      const { v, id, hook } = await chat();
      const form = new FormData();
      form.set('sessionID', id);
      form.set('name', 'Eve');
      form.set('picture', 'javascript:alert(1)');
      form.set('message', 'See <a href="https://example.com">this</a>');
      expect((await fetch(hook('messageForCustomer'), { method: 'POST', body: form })).status).toBe(200);
      const msg = await waitFor(() => v.of('message').find((e) => e.message.authorName === 'Eve'), 'html message');
      expect(msg.message.html).toBe('See <a href="https://example.com">this</a>');
      expect(msg.message.text).toBe('See this');
      expect(v.of('agent').find((e) => e.agent.name === 'Eve')!.agent.avatar).toBeUndefined();

      const end = await fetch(hook('endSession'), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(fixture('endSession.json', id)),
      });
      expect(end.status).toBe(200);
      expect((await waitFor(() => v.of('ended')[0], 'ended')).by).toBe('agent');
      v.transport.close();
    });

    it('answers 404 for an unknown session and 400 for a missing sessionID', async () => {
      const post = (body: unknown) =>
        fetch(`${stack().relay.hookpointBase}/omnidesk/endSession`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      expect((await post({ sessionID: 'confab-nope' })).status).toBe(404);
      expect((await post({})).status).toBe(400);
      expect((await fetch(`${stack().relay.hookpointBase}/omnidesk/endSession`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{oops' })).status).toBe(400);
    });
  });
});
