/** `npm run relay`: the relay configured from the environment (`--help` lists it). */
import { ConfigError, configFromEnv, helpText } from './config';
import { guardProcess } from './process-guard';
import { startRelay } from './server';
import type { SessionStore } from './store';

async function main(): Promise<void> {
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    console.log(helpText());
    return;
  }
  let config;
  try {
    config = configFromEnv(process.env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    console.error(`Confab relay: configuration problems:\n${err.message}\n\nRun with --help for the list of variables.`);
    process.exitCode = 1;
    return;
  }
  let store: SessionStore | undefined;
  if (process.env.REDIS_URL) {
    // Loaded only when used, so a single-instance relay needs no Redis client at all.
    const { RedisStore } = await import('./redis-store');
    const redis = new RedisStore({ url: process.env.REDIS_URL, prefix: process.env.REDIS_PREFIX, ttlMs: Math.max(config.sessionIdleMs ?? 0, 3600_000) * 2 });
    await redis.ready();
    store = redis;
    console.log('[relay] sessions are kept in Redis');
  }
  guardProcess((m) => console.error(`[relay] ${m}`));
  const relay = await startRelay({ ...config, store });
  console.log(`[relay] listening; widgets use data-relay="${config.publicUrl?.replace(/^http/, 'ws') ?? relay.url}"`);
  for (const r of config.routes ?? []) console.log(`[relay] serving ${r.path} (Diyalog transaction hash)`);
  const stop = (signal: string) => {
    console.log(`[relay] ${signal}: draining`);
    relay
      .close()
      .then(() => store?.close())
      .then(
        () => process.exit(0),
        () => process.exit(1),
      );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

void main();
