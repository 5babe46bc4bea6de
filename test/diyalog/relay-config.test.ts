/**
 * `npm run relay` with Diyalog's variables only: it cannot serve Diyalog chats (the adapter
 * needs a DiyalogChannel given in code), and start-up says so instead of pointing at variables
 * that do not exist.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConfigError, configFromEnv, helpText } from '../../src/server/relay/config';

const relayEnv = {
  RELAY_HOOK_SECRET: 'hook-secret-0123456789abcdef',
  RELAY_SIGNING_KEY: 'k'.repeat(32),
  RELAY_ALLOWED_ORIGINS: 'https://shop.example.com',
  RELAY_PUBLIC_URL: 'https://relay.example.com',
};
const diyalogEnv = {
  DIYALOG_API_BASE: 'https://api.diyalog.example.com',
  DIYALOG_ACCESS_KEY_ID: '1234567-8ABC-DEF0-5432-56712ABCDEF5',
  DIYALOG_ACCESS_KEY_SECRET: 'secret',
  DIYALOG_REQUESTER_USER_ID: '45186',
};
const omnidesk = { OMNIDESK_CHAT_ACCOUNT_TOKEN: 'token' };

afterEach(() => {
  vi.restoreAllMocks();
});

/** What start-up said on console.warn. */
function notices(env: Record<string, string>): string[] {
  const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
  try {
    configFromEnv(env);
    return warn.mock.calls.map((c) => String(c[0]));
  } finally {
    warn.mockRestore();
  }
}

function problems(env: Record<string, string>): string {
  try {
    configFromEnv(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.message;
    throw err;
  }
  throw new Error('configFromEnv accepted the environment');
}

describe('relay start-up with Diyalog variables', () => {
  it('with only Diyalog variables, says Diyalog needs a DiyalogChannel in code and Omnidesk is what the environment enables', () => {
    const message = problems({ ...relayEnv, ...diyalogEnv });
    expect(message).toMatch(/no vendor adapter is enabled/);
    expect(message).toMatch(/DIYALOG_\* variables only serve the transaction-hash endpoint/);
    expect(message).toMatch(/DiyalogChannel/);
    expect(message).toMatch(/src\/server\/relay\/adapters\/DIYALOG\.md/);
    expect(message).toMatch(/OMNIDESK_CHAT_ACCOUNT_TOKEN/);
    expect(message).not.toMatch(/another vendor/);
  });

  it('with no vendor at all, names the one variable that enables an adapter', () => {
    const message = problems(relayEnv);
    expect(message).toMatch(/set OMNIDESK_CHAT_ACCOUNT_TOKEN/);
    expect(message).not.toMatch(/another vendor/);
  });

  it('refuses an http: Diyalog API or queue (loopback excepted) and half a set of keys', () => {
    expect(problems({ ...relayEnv, ...omnidesk, ...diyalogEnv, DIYALOG_API_BASE: 'http://api.diyalog.example.com' })).toMatch(
      /DIYALOG_API_BASE must be an https: URL/,
    );
    expect(problems({ ...relayEnv, ...omnidesk, ...diyalogEnv, DIYALOG_QUEUE_URL: 'http://queue.example.com' })).toMatch(/DIYALOG_QUEUE_URL must be an https: URL/);
    expect(problems({ ...relayEnv, ...omnidesk, DIYALOG_ACCESS_KEY_ID: 'x' })).toMatch(
      /DIYALOG_API_BASE, DIYALOG_ACCESS_KEY_SECRET, DIYALOG_REQUESTER_USER_ID must be set/,
    );
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    expect(configFromEnv({ ...relayEnv, ...omnidesk, ...diyalogEnv, DIYALOG_API_BASE: 'http://127.0.0.1:9000' }).routes).toHaveLength(1);
  });

  it('says at start when no queue is configured (no representative is routed chats) and when no customer is verified', () => {
    const said = notices({ ...relayEnv, ...omnidesk, ...diyalogEnv });
    expect(said.some((m) => /DIYALOG_QUEUE_URL is not set.*representatives will not be routed chats/.test(m))).toBe(true);
    expect(said.some((m) => /no verifyCustomer hook/.test(m))).toBe(true);
    const withQueue = notices({ ...relayEnv, ...omnidesk, ...diyalogEnv, DIYALOG_QUEUE_URL: 'https://queue.example.com/api' });
    expect(withQueue.some((m) => /DIYALOG_QUEUE_URL/.test(m))).toBe(false);
  });

  it('--help says the relay does not serve Diyalog chats on its own', () => {
    expect(helpText()).toMatch(/Omnidesk is the only vendor this command can serve/);
    expect(helpText()).toMatch(/DiyalogChannel/);
  });
});
