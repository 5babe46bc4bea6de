/**
 * The relay as an operator installs it: `npm pack` of packages/confab-relay, installed with
 * `npm ci --omit=dev --offline` into an empty directory (from the local npm cache, with a
 * lockfile made of the package's own npm-shrinkwrap.json), started as its `confab-relay` bin
 * with Node alone, serving a whole Omnidesk chat against the Omnidesk simulator. These are also
 * the steps packages/confab-relay/Dockerfile runs (its install script, its non-root user, its
 * HEALTHCHECK, its STOPSIGNAL), in a clean directory, since no image can be built here.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOmnideskSimulator, type OmnideskSimulatorHandle } from '../../src/server/sandbox/omnidesk';
import { calls, visitor, waitFor } from '../relay/harness';
import { freePort, relayEnv, runRelay, untilReady, type RelayProcess, untilAgentSpeaks } from './spawn';

const pkgDir = join(__dirname, '../../packages/confab-relay');

/**
 * Packs the package and installs the tarball into a fresh directory with the image's own step
 * (deploy/install.mjs: a lockfile from the package's shrinkwrap, `npm ci --omit=dev`), offline,
 * from the local npm cache; returns that directory, readable by everyone (as the image's /app).
 */
function installPacked(): string {
  const packDir = mkdtempSync(join(tmpdir(), 'confab-relay-pack-'));
  const dir = mkdtempSync(join(tmpdir(), 'confab-relay-app-'));
  // prepack compiles dist/ and writes npm-shrinkwrap.json.
  const out = execFileSync('npm', ['pack', '--pack-destination', packDir, '--json'], { cwd: pkgDir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const { filename } = (JSON.parse(out) as { filename: string }[])[0]!;
  execFileSync(process.execPath, [join(pkgDir, 'deploy/install.mjs'), join(packDir, filename), dir, '--offline'], { stdio: ['ignore', 'pipe', 'pipe'] });
  rmSync(packDir, { recursive: true, force: true });
  chmodSync(dir, 0o755);
  return dir;
}

/**
 * The image runs the relay as an unprivileged user (Dockerfile: USER node). As root here, the
 * test does the same with setpriv and the system's `nobody`; as anyone else it already is.
 */
function unprivileged(command: string[]): [string, string[]] {
  if (process.getuid?.() !== 0) return [command[0]!, command.slice(1)];
  return ['setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', '--', ...command]];
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
    for (const dep of ['ws', 'busboy', 'ioredis', 'pino', 'prom-client']) expect(installed).toContain(dep);
    for (const devTool of ['typescript', 'tsx', 'vite', 'vitest', 'esbuild', 'preact', 'dompurify', '@tencentcloud']) expect(installed).not.toContain(devTool);
    expect(existsSync(join(dir, 'node_modules/confab-relay/dist/main.js'))).toBe(true);
    expect(readdirSync(join(dir, 'node_modules/confab-relay/dist')).some((f) => f.endsWith('.ts'))).toBe(false);
  });

  it('starts as its bin with Node alone, as a user without privileges, passes the image health check, serves an Omnidesk chat, then drains on SIGTERM', async () => {
    const [command, args] = unprivileged([process.execPath, join(dir, 'node_modules/.bin/confab-relay')]);
    relay = runRelay(command, args, relayEnv(sim, port));
    await untilReady(relay, `http://127.0.0.1:${port}/readyz`);
    const uid = /^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${relay.child.pid}/status`, 'utf8'))?.[1];
    expect(uid).not.toBe('0');
    // The image's HEALTHCHECK command.
    const health = spawnSync(process.execPath, [join(pkgDir, 'deploy/healthcheck.mjs')], { env: { ...process.env, RELAY_PORT: String(port) } });
    expect(health.status).toBe(0);

    const v = visitor(`ws://127.0.0.1:${port}`);
    await waitFor(() => v.of('config')[0], 'config', 20_000);
    v.transport.send({ type: 'start', visitor: { name: 'Ann', email: 'ann@example.com' }, answers: {} });
    await untilAgentSpeaks(v);
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
