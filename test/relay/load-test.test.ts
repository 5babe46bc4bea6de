/**
 * `npm run load` in miniature (scripts/load-test.ts): its report keeps chat starts
 * apart from visitor lines and checks each line by client id, and however it ends it leaves
 * no redis-server of its own running.
 */
import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';

function run(env: Record<string, string>): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/load-test.ts'], {
      env: { ...process.env, REDIS_URL: '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) => resolve({ code, out }));
  });
}

/** Whether anything still answers on the redis-server port the run reported. */
function listening(out: string): Promise<boolean> {
  const port = Number(/own redis-server on redis:\/\/127\.0\.0\.1:(\d+)/.exec(out)?.[1]);
  expect(port).toBeGreaterThan(0);
  return new Promise((resolve) => {
    const c = connect(port, '127.0.0.1');
    c.once('connect', () => (c.destroy(), resolve(true)));
    c.once('error', () => resolve(false));
  });
}

/**
 * The run SIGTERMs its redis-server as it exits; redis-server closes its port a moment later.
 * Polled (a condition, not a fixed wait); false if it still answers after 20 s.
 */
async function stopsListening(out: string): Promise<boolean> {
  const deadline = Date.now() + 20_000;
  while (await listening(out)) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setImmediate(r));
  }
  return true;
}

describe('the relay load test', () => {
  it('reports visitor lines apart from chat starts, each echoed, at the vendor and answered once, and stops its redis-server', async () => {
    const { code, out } = await run({ LOAD_SESSIONS: '20', LOAD_SECONDS: '1' });
    expect(code, out).toBe(0);
    const report = JSON.parse(out.slice(out.indexOf('{'), out.lastIndexOf('}') + 1)) as {
      chatStarts: number;
      visitorLines: Record<string, number>;
    };
    expect(report.chatStarts).toBe(20);
    const lines = report.visitorLines;
    expect(lines.sent).toBeGreaterThan(0);
    expect(lines).toEqual({ sent: lines.sent, echoedOnce: lines.sent, atVendorOnce: lines.sent, answeredOnce: lines.sent, lost: 0, duplicated: 0, misrouted: 0 });
    expect(await stopsListening(out)).toBe(true);
  }, 60_000);

  it('stops its redis-server when the hard timeout ends the run', async () => {
    const { code, out } = await run({ LOAD_SESSIONS: '20', LOAD_SECONDS: '30', LOAD_HARD_TIMEOUT_MS: '2500' });
    expect(code, out).toBe(2);
    expect(await stopsListening(out)).toBe(true);
  }, 60_000);
});
