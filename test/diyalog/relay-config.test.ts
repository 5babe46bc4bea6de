/**
 * `npm run relay` with Diyalog's variables only: it cannot serve Diyalog chats (the adapter
 * needs a DiyalogChannel given in code), and start-up says so instead of pointing at variables
 * that do not exist.
 */
import { describe, expect, it } from 'vitest';
import { ConfigError, configFromEnv, helpText } from '../../src/server/relay/config';

const relayEnv = {
  RELAY_HOOK_SECRET: 'hook-secret-0123456789abcdef',
  RELAY_SIGNING_KEY: 'k'.repeat(32),
  RELAY_ALLOWED_ORIGINS: 'https://shop.example.com',
  RELAY_PUBLIC_URL: 'https://relay.example.com',
};
const diyalogEnv = {
  DIYALOG_CREDENTIAL_ID: 'id',
  DIYALOG_CREDENTIAL_SECRET: 'secret',
  DIYALOG_TRANSACTION_HASH_URL: 'https://diyalog.example.com/gettransactionhashforonlinehelp',
};

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

  it('--help says the relay does not serve Diyalog chats on its own', () => {
    expect(helpText()).toMatch(/Omnidesk is the only vendor this command can serve/);
    expect(helpText()).toMatch(/DiyalogChannel/);
  });
});
