/**
 * A private Redis Cluster for one test file: three masters (no replicas), each a real
 * redis-server in cluster mode on loopback ephemeral ports (its cluster bus on a second free
 * port), joined by `redis-cli --cluster create`, in a temporary directory removed by stop().
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from './redis';

export interface RedisCluster {
  nodes: { host: string; port: number }[];
  /** The keys each node holds (to see where a store's keys went). */
  keysPerNode(pattern: string): Promise<string[][]>;
  stop(): Promise<void>;
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve(child.exitCode);
    child.once('exit', (code) => resolve(code));
  });
}

/** Resolves when `probe` answers true; gives up (throwing `what`) after `ms`. */
async function until(probe: () => Promise<boolean>, what: string, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await probe().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`Redis Cluster: timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function startRedisCluster(masters = 3): Promise<RedisCluster> {
  if (spawnSync('sh', ['-c', 'command -v redis-server && command -v redis-cli']).status !== 0) {
    throw new Error('redis-server and redis-cli (7.0 or later: --cluster-port) are needed: apt-get install redis-server; .ci/run does this');
  }
  const dir = await mkdtemp(join(tmpdir(), 'confab-cluster-'));
  const children: ChildProcess[] = [];
  const clients: Redis[] = [];
  const stop = async () => {
    for (const c of clients) c.disconnect();
    await Promise.all(
      children.map((c) => {
        const gone = exited(c);
        c.kill('SIGKILL');
        return gone;
      }),
    );
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const nodes: { host: string; port: number }[] = [];
    for (let i = 0; i < masters; i++) {
      const port = await freePort();
      const bus = await freePort();
      children.push(
        spawn(
          'redis-server',
          [
            '--port', String(port), '--bind', '127.0.0.1', '--cluster-enabled', 'yes', '--cluster-port', String(bus),
            '--cluster-config-file', join(dir, `nodes-${port}.conf`), '--dir', dir, '--save', '', '--appendonly', 'no',
          ],
          { stdio: 'ignore' },
        ),
      );
      nodes.push({ host: '127.0.0.1', port });
      // Fails at once when a command is refused; the probe below retries.
      const client = new Redis({ host: '127.0.0.1', port, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => 50 });
      // Refused while the node starts (the probe retries), reset when stop() kills it.
      client.on('error', () => undefined);
      clients.push(client);
    }
    for (const c of clients) {
      await c.connect().catch(() => undefined);
      await until(async () => (await c.ping()) === 'PONG', `node ${c.options.port} to answer`, 10_000);
    }
    const create = spawn('redis-cli', ['--cluster', 'create', ...nodes.map((n) => `${n.host}:${n.port}`), '--cluster-replicas', '0', '--cluster-yes'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    create.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    create.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    if ((await exited(create)) !== 0) throw new Error(`redis-cli --cluster create failed:\n${out}`);
    // Every node agrees: all slots served, and it knows every other master.
    for (const c of clients) {
      await until(
        async () => {
          const info = String(await c.call('CLUSTER', 'INFO'));
          return info.includes('cluster_state:ok') && info.includes(`cluster_known_nodes:${masters}`);
        },
        `node ${c.options.port} to see the cluster ok`,
        20_000,
      );
    }
    return {
      nodes,
      async keysPerNode(pattern) {
        return Promise.all(clients.map((c) => c.keys(pattern)));
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
