/**
 * A private redis-server for one test file: a free loopback port, no persistence, killed in
 * afterAll. Fails loudly when redis-server is not installed (`.ci/run` installs it).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer, connect } from 'node:net';
import { RedisStore } from '../../src/server/relay/redis-store';
import { newId } from '../../src/server/relay/tokens';

export interface RedisServer {
  url: string;
  port: number;
  /** The redis-server process (tests that stop, pause or kill Redis). */
  child: ChildProcess;
  /** A store on `prefix` (default: a fresh one); stop() closes it. */
  store(prefix?: string): RedisStore;
  stop(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const c = connect(port, '127.0.0.1');
    c.once('connect', () => c.write('PING\r\n'));
    c.once('data', (d) => {
      c.destroy();
      resolve(d.toString().startsWith('+PONG'));
    });
    c.once('error', () => resolve(false));
  });
}

/** `extraArgs`: more redis-server options (e.g. `--appendonly yes --dir <tmp>`). */
export async function startRedis(extraArgs: string[] = []): Promise<RedisServer> {
  const which = spawnSync('sh', ['-c', 'command -v redis-server']);
  if (which.status !== 0) {
    throw new Error('redis-server is not installed: these tests need it (apt-get install redis-server; .ci/run does this)');
  }
  const port = await freePort();
  const child: ChildProcess = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', ...extraArgs], {
    stdio: 'ignore',
  });
  const deadline = Date.now() + 5000;
  while (!(await answers(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`redis-server did not start on port ${port}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  const url = `redis://127.0.0.1:${port}`;
  const stores: RedisStore[] = [];
  return {
    url,
    port,
    child,
    store(prefix) {
      const s = new RedisStore({ url, prefix: prefix ?? `t${newId(6)}:` });
      stores.push(s);
      return s;
    },
    async stop() {
      await Promise.allSettled(stores.map((s) => s.close()));
      await new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGCONT');
        child.kill('SIGTERM');
      });
    },
  };
}
