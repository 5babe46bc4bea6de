/**
 * `npm run relay` as an attacker meets it: its own process (so a crash is an exit, not a test
 * error), configured from the environment, talking to the Omnidesk simulator in this process.
 * `survived()` lists what reached the process-level guard: every path the tests cover must be
 * handled where it arises, so the tests expect it empty.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { startOmnideskSimulator, type OmnideskSimulatorHandle } from '../../src/server/sandbox/omnidesk';

export const ORIGIN = 'https://shop.example.com';
export const SECRET = 'security-hook-secret-0123456789';

export interface ChildRelay {
  port: number;
  http: string;
  ws: string;
  hookBase: string;
  sim: OmnideskSimulatorHandle;
  /** The process has not exited. */
  alive(): boolean;
  /** Lines the process guard wrote ("… survived"). */
  survived(): string[];
  /** GET /readyz status (0 when nothing answers). */
  readyz(): Promise<number>;
  output(): string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

export async function startChildRelay(env: Record<string, string> = {}): Promise<ChildRelay> {
  const sim = await startOmnideskSimulator({ agent: { delayScale: 0.02 } });
  const port = await freePort();
  const http = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'src/server/relay/main.ts'], {
    env: {
      PATH: process.env.PATH,
      RELAY_HOST: '127.0.0.1',
      RELAY_PORT: String(port),
      RELAY_PUBLIC_URL: http,
      RELAY_HOOK_SECRET: SECRET,
      RELAY_SIGNING_KEY: 'security-signing-key-0123456789abcdef',
      RELAY_ALLOWED_ORIGINS: ORIGIN,
      OMNIDESK_CHAT_ACCOUNT_TOKEN: sim.options.chatAccountToken!,
      OMNIDESK_API_BASE: sim.options.apiBase!,
      OMNIDESK_CONFIG_URL: sim.options.configUrl!,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const deadline = Date.now() + 20_000;
  while (!out.includes('listening')) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      await sim.close();
      throw new Error(`relay did not start:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  return {
    port,
    http,
    ws: `ws://127.0.0.1:${port}`,
    hookBase: `${http}/hook/${SECRET}/omnidesk`,
    sim,
    alive: () => child.exitCode === null && child.signalCode === null,
    survived: () => out.split('\n').filter((l) => l.includes('survived')),
    output: () => out,
    async readyz() {
      try {
        return (await fetch(`${http}/readyz`)).status;
      } catch {
        return 0;
      }
    },
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      }
      await sim.close();
    },
  };
}
