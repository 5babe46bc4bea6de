/**
 * The relay as an operator installs it: `npm pack` of packages/confab-relay, installed with
 * `npm ci --omit=dev --offline` into an empty directory (from the local npm cache, with a
 * lockfile made of the package's own npm-shrinkwrap.json), started as its `confab-relay` bin
 * with Node alone, serving a whole Omnidesk chat against the Omnidesk simulator.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOmnideskSimulator, type OmnideskSimulatorHandle } from '../../src/server/sandbox/omnidesk';
import { calls, ORIGIN, SECRET, visitor, waitFor } from '../relay/harness';
import { freePort, runRelay, untilReady, type RelayProcess } from './spawn';

const pkgDir = join(__dirname, '../../packages/confab-relay');

/** Packs the package and installs the tarball into a fresh directory; returns that directory. */
function installPacked(): string {
  const dir = mkdtempSync(join(tmpdir(), 'confab-relay-install-'));
  // prepack compiles dist/ and writes npm-shrinkwrap.json.
  const out = execFileSync('npm', ['pack', '--pack-destination', dir, '--json'], { cwd: pkgDir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const { filename } = (JSON.parse(out) as { filename: string }[])[0]!;
  const shrinkwrap = JSON.parse(readFileSync(join(pkgDir, 'npm-shrinkwrap.json'), 'utf8')) as {
    packages: Record<string, Record<string, unknown>>;
  };
  const { '': own, ...deps } = shrinkwrap.packages;
  const lock = {
    name: 'operator',
    lockfileVersion: 3,
    requires: true,
    packages: {
      '': { name: 'operator', dependencies: { 'confab-relay': `file:${filename}` } },
      'node_modules/confab-relay': { version: own!.version, resolved: `file:${filename}`, dependencies: own!.dependencies, bin: own!.bin },
      ...deps,
    },
  };
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'operator', private: true, dependencies: { 'confab-relay': `file:${filename}` } }));
  writeFileSync(join(dir, 'package-lock.json'), JSON.stringify(lock));
  execFileSync('npm', ['ci', '--omit=dev', '--offline', '--no-audit', '--no-fund', '--ignore-scripts'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  return dir;
}

describe('the packed confab-relay, installed with --omit=dev', () => {
  let dir = '';
  let sim: OmnideskSimulatorHandle;
  let relay: RelayProcess | undefined;
  let port = 0;

  beforeAll(async () => {
    dir = installPacked();
    sim = await startOmnideskSimulator({ agent: { delayScale: 0.02 }, apiKey: 'test-omnidesk-api-key' });
    port = await freePort();
  }, 120_000);

  afterAll(async () => {
    if (relay && relay.child.exitCode === null) relay.child.kill('SIGKILL');
    await sim?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('holds only the server dependencies: no TypeScript, tsx, Vite or front-end code', () => {
    const installed = readdirSync(join(dir, 'node_modules'));
    for (const dep of ['ws', 'busboy', 'ioredis', 'pino', 'prom-client', 'rate-limiter-flexible']) expect(installed).toContain(dep);
    for (const devTool of ['typescript', 'tsx', 'vite', 'vitest', 'esbuild', 'preact', 'dompurify', '@tencentcloud']) expect(installed).not.toContain(devTool);
    expect(existsSync(join(dir, 'node_modules/confab-relay/dist/main.js'))).toBe(true);
    expect(readdirSync(join(dir, 'node_modules/confab-relay/dist')).some((f) => f.endsWith('.ts'))).toBe(false);
  });

  it('starts as its bin with Node alone and serves an Omnidesk chat, then drains on SIGTERM', async () => {
    const o = sim.options;
    relay = runRelay(join(dir, 'node_modules/.bin/confab-relay'), [], {
      RELAY_HOOK_SECRET: SECRET,
      RELAY_SIGNING_KEY: 'package-test-signing-key-0123456789abcdef',
      RELAY_ALLOWED_ORIGINS: ORIGIN,
      RELAY_PUBLIC_URL: `http://127.0.0.1:${port}`,
      RELAY_HOST: '127.0.0.1',
      RELAY_PORT: String(port),
      OMNIDESK_CHAT_ACCOUNT_TOKEN: o.chatAccountToken!,
      OMNIDESK_API_KEY: 'test-omnidesk-api-key',
      OMNIDESK_API_BASE: o.apiBase!,
      OMNIDESK_CONFIG_URL: o.configUrl!,
    });
    await untilReady(relay, `http://127.0.0.1:${port}/readyz`);

    const v = visitor(`ws://127.0.0.1:${port}`);
    await waitFor(() => v.of('config')[0], 'config', 20_000);
    v.transport.send({ type: 'start', visitor: { name: 'Ann', email: 'ann@example.com' }, answers: {} });
    await waitFor(() => v.of('accepted')[0], 'accepted', 20_000);
    v.transport.send({ type: 'send', clientId: 'p1', text: 'Hello from the packed relay' });
    await waitFor(() => v.of('message').find((e) => e.message.clientId === 'p1'), 'echo of p1', 20_000);
    await waitFor(
      () => v.of('message').some((e) => e.message.sender === 'agent' && (e.message.text ?? '').includes('Hello from the packed relay')),
      'the agent answers p1',
      20_000,
    );
    const sent = calls(sim, '/chat/notifyUserNewChatMessage');
    expect(sent.map((m) => m.message)).toContain('Hello from the packed relay');
    expect(v.of('error')).toEqual([]);
    expect(sim.violations).toEqual([]);
    v.transport.close();

    relay.child.kill('SIGTERM');
    expect(await relay.exited).toBe(0);
  }, 90_000);
});
