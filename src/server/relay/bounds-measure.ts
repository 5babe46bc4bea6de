/**
 * `npx tsx src/server/relay/bounds-measure.ts [relay source root] [row5|row6]`: re-measures issue 15's
 * memory (row 5) and file-descriptor (row 6) figures against `npm run relay` in its own
 * process, so the same script measures the relay before and after a change (pass the root of
 * an older checkout that has node_modules). Not a test: figures for the README, no thresholds.
 *
 * Row 5: 20 sockets each send one 14 MB frame before hello; the relay's peak RSS, then RSS
 *        after they are gone.
 * Row 6: 1,100 sockets (100 from each of 11 loopback addresses) send hello, then never answer
 *        a ping nor send a frame; how many the relay accepted, its open fds then, and 70 s later.
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import { resolve } from 'node:path';
import { startOmnideskSimulator } from '../sandbox/omnidesk';

const ORIGIN = 'https://shop.example.com';
const root = resolve(process.argv[2] ?? '.');

/** RSS in MB, 0 once the process is gone. */
const rssMb = (pid: number) => {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
  } catch {
    return 0;
  }
};
const fds = (pid: number) => {
  try {
    return readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return 0;
  }
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function frameHeader(len: number): Buffer {
  const b = Buffer.alloc(14);
  b[0] = 0x81;
  b[1] = 0x80 | 127;
  b.writeBigUInt64BE(BigInt(len), 2);
  return b; // + 4 zero mask bytes: the payload goes unmasked-as-is (XOR 0)
}

function upgrade(port: number, localAddress: string, hello: boolean): Promise<{ socket: Socket; ok: boolean }> {
  return new Promise((done) => {
    const socket = connect({ port, host: '127.0.0.1', localAddress });
    let head = '';
    socket.on('error', () => done({ socket, ok: false }));
    socket.once('connect', () =>
      socket.write(
        `GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nOrigin: ${ORIGIN}\r\n\r\n`,
      ),
    );
    socket.on('data', function onData(d: Buffer) {
      head += d.toString('latin1');
      if (!head.includes('\r\n\r\n')) return;
      socket.off('data', onData);
      const ok = head.startsWith('HTTP/1.1 101');
      if (ok && hello) {
        const payload = Buffer.from(JSON.stringify({ type: 'hello', vendor: 'omnidesk', page: { url: '', referrer: '', locale: 'en', userAgent: 'm', visitorId: 'm' } }));
        const h = Buffer.from([0x81, 0x80 | payload.length, 0, 0, 0, 0]);
        socket.write(Buffer.concat([h, payload]));
      }
      socket.resume();
      done({ socket, ok });
    });
  });
}

type Sim = Awaited<ReturnType<typeof startOmnideskSimulator>>;

async function startRelayProcess(sim: Sim) {
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const port = (probe.address() as AddressInfo).port;
  await new Promise<void>((r) => probe.close(() => r()));
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server/relay/main.ts'], {
    cwd: root,
    env: {
      PATH: process.env.PATH,
      RELAY_HOST: '127.0.0.1',
      RELAY_PORT: String(port),
      RELAY_PUBLIC_URL: `http://127.0.0.1:${port}`,
      RELAY_HOOK_SECRET: 'measure-hook-secret-0123456789',
      RELAY_SIGNING_KEY: 'measure-signing-key-0123456789abcdef',
      RELAY_ALLOWED_ORIGINS: ORIGIN,
      OMNIDESK_CHAT_ACCOUNT_TOKEN: sim.options.chatAccountToken!,
      OMNIDESK_API_BASE: sim.options.apiBase!,
      OMNIDESK_CONFIG_URL: sim.options.configUrl!,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d));
  child.stderr.on('data', (d: Buffer) => (out += d));
  while (!out.includes('listening')) {
    if (child.exitCode !== null) throw new Error(out);
    await sleep(50);
  }
  const pid = child.pid!;
  await sleep(1000);
  const base = { rss: rssMb(pid), fds: fds(pid) };
  console.log(`relay at ${root}: baseline RSS ${base.rss.toFixed(0)} MB, ${base.fds} fds`);
  const alive = () => child.exitCode === null && child.signalCode === null;
  /** Why the process ended, when it did: the first error line it printed. */
  const death = () => (alive() ? '' : ` (exited: ${/^\w*Error.*$/m.exec(out)?.[0] ?? `code ${child.exitCode}`})`);
  return { port, pid, base, alive, death, stop: () => child.kill('SIGTERM') };
}

async function main(): Promise<void> {
  const sim = await startOmnideskSimulator({ agent: { delayScale: 0.02 } });
  const only = process.argv[3];
  if (only !== 'row6') await row5(sim);
  if (only !== 'row5') await row6(sim);
  await sim.close();
}

async function row5(sim: Sim): Promise<void> {
  const { port, pid, base, alive, death, stop } = await startRelayProcess(sim);
  let peak = base.rss;
  const sampler = setInterval(() => (peak = Math.max(peak, rssMb(pid))), 50);
  const big = Buffer.alloc(1 << 20, 0x20);
  await Promise.all(
    Array.from({ length: 20 }, async () => {
      const { socket, ok } = await upgrade(port, '127.0.0.1', false);
      if (!ok) return socket.destroy();
      socket.write(frameHeader(14 * 1024 * 1024));
      for (let i = 0; i < 14 && !socket.destroyed; i++) {
        if (!socket.write(big)) await new Promise((r) => (socket.once('drain', r), socket.once('close', r)));
      }
      await sleep(1000);
      socket.destroy();
    }),
  );
  await sleep(2000);
  clearInterval(sampler);
  console.log(
    `row 5: 20 × 14 MB frames before hello: peak RSS ${peak.toFixed(0)} MB (+${(peak - base.rss).toFixed(0)}), after ${alive() ? `${rssMb(pid).toFixed(0)} MB` : 'none'}${death()}`,
  );
  stop();
}

async function row6(sim: Sim): Promise<void> {
  const { port, pid, base, death, stop } = await startRelayProcess(sim);
  const sockets: Socket[] = [];
  let accepted = 0;
  for (let ip = 2; ip <= 12; ip++) {
    const batch = await Promise.all(Array.from({ length: 100 }, () => upgrade(port, `127.0.0.${ip}`, true)));
    for (const b of batch) {
      sockets.push(b.socket);
      if (b.ok) accepted++;
    }
  }
  await sleep(2000);
  const during = fds(pid);
  await sleep(70_000);
  const later = fds(pid);
  console.log(
    `row 6: 1,100 idle sockets after hello (11 IPs): ${accepted} accepted, relay fds ${during} (+${during - base.fds}), 70 s later ${later} (+${later - base.fds})${death()}`,
  );
  for (const s of sockets) s.destroy();
  stop();
}

void main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
