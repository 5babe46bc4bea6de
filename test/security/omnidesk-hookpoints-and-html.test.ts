/**
 * Issue 15, the rows that live in the Omnidesk adapter, over real sockets against the relay:
 *
 * Row 15: hookpoint auth was one global secret in the URL path, so a leaked secret opened every
 *   chat. Now each chat's `chatServer` carries its own token (`[A-Za-z0-9-]`, so Omnidesk's
 *   `^[a-zA-Z0-9.:/-]+$` accepts it) and the global secret is still required.
 * Row 12: a 20,000-character `<a‹a…` agent message blocked the event loop for 0.7 s per call
 *   (backtracking regexes). Now one linear pass: checked by counting the characters it
 *   examines (no timing thresholds), and end to end through a hookpoint.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHAT_SERVER_PATTERN } from '../../src/server/relay/adapters/omnidesk';
import { scanAgentMarkup } from '../../src/server/relay/adapters/omnidesk-html';
import { ConfigError, configFromEnv } from '../../src/server/relay/config';
import { hookToken } from '../../src/server/relay/hook-tokens';
import { hookUrl, SECRET, startStack, visitor, waitFor, type Stack, type Visitor } from '../relay/harness';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack.close();
});

const opened: Visitor[] = [];
afterAll(() => {
  for (const v of opened) v.transport.close();
});

async function chat(): Promise<{ v: Visitor; id: string }> {
  const v = visitor(stack.relay.url);
  opened.push(v);
  v.transport.send({ type: 'start', visitor: {}, answers: {} });
  const id = String((await waitFor(() => v.of('accepted')[0], 'accepted')).chatId);
  return { v, id };
}

const say = (url: string, body: Record<string, string>) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('issue 15 row 15: per-session hookpoint URLs', () => {
  it('opens a chat only with that chat’s own token, and still needs the global secret', async () => {
    const a = await chat();
    const b = await chat();
    const serverA = stack.sim.chatServerOf(a.id)!;
    const serverB = stack.sim.chatServerOf(b.id)!;
    expect(serverA).not.toBe(serverB);
    for (const s of [serverA, serverB]) expect(s).toMatch(CHAT_SERVER_PATTERN);
    const tokenOf = (s: string) => s.split('/').at(-1)!;

    const forged = { sessionID: a.id, name: 'Mallory', message: 'forged' };
    // B's token (a leaked chatServer of another chat) does not open A.
    expect((await say(`${serverB}/messageForCustomer`, forged)).status).toBe(404);
    // The global secret alone (no token) opens nothing.
    expect((await say(`${stack.relay.hookpointBase}/omnidesk/messageForCustomer`, forged)).status).toBe(404);
    // A's token without the secret, or under a wrong secret: not a hookpoint at all.
    const http = stack.relay.url.replace(/^ws/, 'http');
    expect((await say(`${http}/hook/not-the-secret/omnidesk/${tokenOf(serverA)}/messageForCustomer`, forged)).status).toBe(401);
    expect((await say(`${http}/hook/omnidesk/${tokenOf(serverA)}/messageForCustomer`, forged)).status).toBe(401);

    expect((await say(hookUrl(stack.sim, a.id, 'messageForCustomer'), { sessionID: a.id, name: 'Sam', message: 'genuine' })).status).toBe(200);
    await waitFor(() => a.v.of('message').find((e) => e.message.text === 'genuine'), 'genuine');
    expect(a.v.of('message').some((e) => e.message.text === 'forged')).toBe(false);
    expect(b.v.of('message').some((e) => e.message.text === 'forged' || e.message.text === 'genuine')).toBe(false);
    expect(stack.sim.violations).toEqual([]);
  });

  it('makes tokens and chatSessionIDs from [A-Za-z0-9-] only', async () => {
    for (let i = 0; i < 500; i++) expect(hookToken('signing-key', `session-${i}_x`)).toMatch(/^[0-9a-f]{32}$/);
    const ids = [];
    for (let i = 0; i < 5; i++) ids.push((await chat()).id);
    for (const id of ids) expect(id).toMatch(/^confab-[0-9a-f]{32}$/);
  });

  it('refuses at start a hook secret or Omnidesk setting the specification’s patterns refuse, saying which', () => {
    const env = {
      RELAY_HOOK_SECRET: SECRET,
      RELAY_SIGNING_KEY: 'x'.repeat(32),
      RELAY_ALLOWED_ORIGINS: 'https://shop.example.com',
      RELAY_PUBLIC_URL: 'https://relay.example.com',
      OMNIDESK_CHAT_ACCOUNT_TOKEN: 'abc123',
    };
    expect(configFromEnv(env).adapters.map((a) => a.vendor)).toEqual(['omnidesk']);
    const refused = (over: Record<string, string>) => {
      try {
        configFromEnv({ ...env, ...over });
      } catch (err) {
        expect(err).toBeInstanceOf(ConfigError);
        return (err as Error).message;
      }
      throw new Error('accepted');
    };
    expect(refused({ RELAY_HOOK_SECRET: 'abcdefghijkl_mnopqrstuvwxyz' })).toMatch(/RELAY_HOOK_SECRET must be .*\[A-Za-z0-9-\]/);
    expect(refused({ RELAY_PUBLIC_URL: 'https://relay.example.com/chat_relay' })).toMatch(/chatServer .* does not match Omnidesk's pattern/);
    expect(refused({ OMNIDESK_CHAT_ACCOUNT_TOKEN: 'abc-123' })).toMatch(/OMNIDESK_CHAT_ACCOUNT_TOKEN\) must match \^\[a-zA-Z0-9\]\+\$/);
    expect(refused({ OMNIDESK_API_KEY: 'two words' })).toMatch(/OMNIDESK_API_KEY/);
    expect(configFromEnv({ ...env, OMNIDESK_API_KEY: 'k-123.abc' }).adapters).toHaveLength(1);
  });
});

describe('issue 15 row 12: agent HTML in linear time', () => {
  const hostile = '<a\u2039a'.repeat(5000); // 20,000 characters, no ">"

  it('examines each character a bounded number of times, whatever the text', () => {
    for (const text of [hostile, `${hostile}>`, `>${hostile}`, '<'.repeat(20_000), `${'<a'.repeat(10_000)}>`, '<a>'.repeat(7000)]) {
      expect(scanAgentMarkup(text).steps).toBeLessThanOrEqual(3 * text.length + 3);
    }
  });

  it('gives what the old regexes gave', () => {
    const cases = ['plain', 'a < b > c', 'See <a href="x">this</a>', '<b>bold', '</i>x<', '<1>', '< a>', '<a', 'x</ y>', '<a<b>c>d'];
    for (const text of cases) {
      const html = /<\/?[a-z][^>]*>/i.test(text);
      expect(scanAgentMarkup(text)).toMatchObject({ html, text: html ? text.replace(/<[^>]*>/g, '') : text });
    }
  });

  it('carries a 20,000-character `<a‹a…` agent message through a hookpoint', async () => {
    const { v, id } = await chat();
    // 20,000 characters, about 40 KB of JSON: under the default hookpoint body cap.
    expect((await say(hookUrl(stack.sim, id, 'messageForCustomer'), { sessionID: id, name: 'Sam', message: hostile })).status).toBe(200);
    const closed = `${hostile.slice(0, 19_999)}>`; // the relay keeps the first 20,000 characters of a message
    expect((await say(hookUrl(stack.sim, id, 'messageForCustomer'), { sessionID: id, name: 'Sam', message: closed })).status).toBe(200);
    const sam = () => v.of('message').filter((e) => e.message.authorName === 'Sam').map((e) => e.message);
    await waitFor(() => sam().length === 2, 'both messages');
    // (Compared as flags and lengths: a failing diff of 20,000 characters helps nobody.)
    const plain = sam().find((m) => m.html === undefined);
    const marked = sam().find((m) => m.html !== undefined);
    expect({ same: plain?.text === hostile, length: plain?.text?.length }).toEqual({ same: true, length: 20_000 });
    expect({ html: marked?.html === closed, text: marked?.text }).toEqual({ html: true, text: '' });
  });
});
