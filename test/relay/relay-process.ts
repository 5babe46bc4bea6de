/**
 * A relay instance in its own process, so a test can kill it for real (SIGKILL: no drain,
 * no goodbye). Configured by RELAY_TEST_CONFIG (JSON); prints "READY <ws url>" when listening.
 */
import { omnideskAdapter } from '../../src/server/relay/adapters/omnidesk';
import { RedisStore } from '../../src/server/relay/redis-store';
import { startRelay } from '../../src/server/relay/server';

interface ChildConfig {
  redisUrl: string;
  prefix: string;
  secret: string;
  signingKey: string;
  origin: string;
  chatAccountToken: string;
  apiBase: string;
  configUrl: string;
}

const cfg = JSON.parse(process.env.RELAY_TEST_CONFIG ?? '{}') as ChildConfig;
const store = new RedisStore({ url: cfg.redisUrl, prefix: cfg.prefix });
await store.ready();
const relay = await startRelay({
  hookSecret: cfg.secret,
  signingKey: cfg.signingKey,
  allowedOrigins: [cfg.origin],
  adapters: [
    omnideskAdapter({
      chatAccountToken: cfg.chatAccountToken,
      apiBase: cfg.apiBase,
      configUrl: cfg.configUrl,
      retry: { attempts: 3, baseDelayMs: 20, timeoutMs: 3000 },
    }),
  ],
  store,
  log: () => undefined,
});
process.stdout.write(`READY ${relay.url}\n`);
