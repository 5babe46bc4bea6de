/** `npm run relay`: the relay configured from the environment (`--help` lists it). */
import { ConfigError, configFromEnv, helpText } from './config';
import { startRelay } from './server';

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
  const relay = await startRelay(config);
  console.log(`[relay] listening; widgets use data-relay="${config.publicUrl?.replace(/^http/, 'ws') ?? relay.url}"`);
  const stop = (signal: string) => {
    console.log(`[relay] ${signal}: draining`);
    relay.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

void main();
