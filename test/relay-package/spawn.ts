/**
 * Helpers for tests that run the relay as an operator does: its own process, configured by
 * environment variables, judged by its exit code, its output and its HTTP answers.
 */
import { spawn, type ChildProcess } from 'node:child_process';

export { freePort } from '../relay/redis';

export interface RelayProcess {
  child: ChildProcess;
  /** Everything written so far (stdout + stderr, in arrival order). */
  output(): string;
  /** Resolves with the exit code (or the signal's name) once the process has ended. */
  exited: Promise<number | string>;
}

/** Starts `command args` with exactly `env` (plus PATH), collecting its output. */
export function runRelay(command: string, args: string[], env: Record<string, string>, cwd?: string): RelayProcess {
  const child = spawn(command, args, { cwd, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  return { child, output: () => out, exited };
}

/** Polls `url` until it answers 200 (or the process ends, which fails with its output). */
export async function untilReady(p: RelayProcess, url: string, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  let ended = false;
  void p.exited.then(() => (ended = true));
  for (;;) {
    if (ended) throw new Error(`the relay exited before it was ready:\n${p.output()}`);
    const ok = await fetch(url).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`the relay was not ready in ${ms} ms:\n${p.output()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The JSON lines among the output (pino's), parsed. */
export function jsonLines(output: string): Record<string, unknown>[] {
  return output
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { OmnideskSimulatorHandle } from '../../src/server/sandbox/omnidesk';
import { ORIGIN, SECRET, waitFor, type Visitor } from '../relay/harness';

const root = join(__dirname, '../..');
mkdirSync(join(root, 'node_modules/.cache'), { recursive: true });

let built: string | undefined;

/**
 * The relay as its package ships it (packages/confab-relay/build.mjs), compiled once per test
 * file into a private directory under node_modules/.cache, started with Node alone: what
 * `confab-relay` runs, and a second rather than tsx's several on a busy machine.
 */
export function runBuiltRelay(env: Record<string, string>): RelayProcess {
  if (!built) {
    const dir = mkdtempSync(join(root, 'node_modules/.cache/confab-relay-test-'));
    execFileSync(process.execPath, [join(root, 'packages/confab-relay/build.mjs'), `--outdir=${dir}`, '--quiet'], { stdio: 'pipe' });
    built = dir;
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  }
  return runRelay(process.execPath, [join(built, 'main.js')], env);
}

/** The variables of a relay on `port` serving Omnidesk chats against `sim`. */
export function relayEnv(sim: OmnideskSimulatorHandle, port: number, extra: Record<string, string> = {}): Record<string, string> {
  const o = sim.options;
  return {
    RELAY_HOOK_SECRET: SECRET,
    RELAY_SIGNING_KEY: 'operator-test-signing-key-0123456789abcdef',
    RELAY_ALLOWED_ORIGINS: ORIGIN,
    RELAY_PUBLIC_URL: `http://127.0.0.1:${port}`,
    RELAY_HOST: '127.0.0.1',
    RELAY_PORT: String(port),
    OMNIDESK_CHAT_ACCOUNT_TOKEN: o.chatAccountToken!,
    OMNIDESK_API_KEY: 'test-omnidesk-api-key',
    OMNIDESK_API_BASE: o.apiBase!,
    OMNIDESK_CONFIG_URL: o.configUrl!,
    ...extra,
  };
}

/** Waits until `probe(output)` holds (or the process ends / the wait runs out, failing with the output). */
export async function untilOutput(p: RelayProcess, probe: (output: string) => boolean, what: string, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!probe(p.output())) {
    if (p.child.exitCode !== null || Date.now() > deadline) throw new Error(`no ${what} in the relay's output:\n${p.output()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * The chat was accepted and the agent has said its first line. The scripted agent hears only
 * what comes after it joined (as a person would), so a test's first line waits for this.
 */
export async function untilAgentSpeaks(v: Visitor): Promise<void> {
  await waitFor(() => v.of('accepted')[0], 'accepted', 20_000);
  await waitFor(() => v.of('message').some((e) => e.message.sender === 'agent'), "the agent's first line", 20_000);
}
