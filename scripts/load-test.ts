/**
 * `npm run load`: two relay instances sharing Redis behind a round-robin hookpoint balancer,
 * the Omnidesk simulator, and 1,000 concurrent visitors over WebSocket on loopback. Visitors
 * are spread over both instances; every hookpoint goes through the balancer, so about half of
 * them land on the instance the visitor is NOT connected to. Probe messages are posted as
 * the vendor would (messageForCustomer) while visitors also chat with the scripted agent.
 * Reports delivered / lost / duplicated probes and p50/p99 hookpoint-to-visitor latency, and
 * checks every visitor line by its client id: echoed to its visitor once, at Omnidesk once (in
 * that visitor's chat), answered by the scripted agent once.
 * Bounded: LOAD_SESSIONS (1000), LOAD_SECONDS (20), and a hard timeout (LOAD_HARD_TIMEOUT_MS).
 * Uses REDIS_URL when set, else starts its own redis-server on a free loopback port, which is
 * stopped however the run ends (success, failure, hard timeout).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, request, type Server } from 'node:http';
import { connect, createServer as createNetServer } from 'node:net';
import WebSocket from 'ws';
import { omnideskAdapterFor, startOmnideskSimulator } from '../src/server/sandbox/omnidesk';
import { RedisStore } from '../src/server/relay/redis-store';
import { startRelay, type RelayHandle } from '../src/server/relay/server';
import { randomBytes } from 'node:crypto';
import { newId } from '../src/server/relay/tokens';

const SESSIONS = Number(process.env.LOAD_SESSIONS ?? 1000);
const SECONDS = Number(process.env.LOAD_SECONDS ?? 20);
const ORIGIN = 'https://load.example.com';
// [A-Za-z0-9-] only: it is part of Omnidesk's chatServer (pattern ^[a-zA-Z0-9.:/-]+$).
const SECRET = randomBytes(24).toString('hex');
const HARD_TIMEOUT_MS = Number(process.env.LOAD_HARD_TIMEOUT_MS ?? (SECONDS + 90) * 1000);

/** The redis-server this run started, if any: never left running, whatever path ends the run. */
let ownRedisChild: ChildProcess | null = null;
function stopOwnRedis(): void {
  if (ownRedisChild && ownRedisChild.exitCode === null && ownRedisChild.signalCode === null) ownRedisChild.kill('SIGTERM');
}
// process.exit skips pending work but still runs 'exit' listeners (kill() is synchronous).
process.on('exit', stopOwnRedis);

setTimeout(() => {
  console.error('load test: hard timeout, giving up');
  process.exit(2);
}, HARD_TIMEOUT_MS).unref();

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createNetServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

async function ownRedis(): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  ownRedisChild = child;
  child.once('error', () => {
    console.error('load test: redis-server not found (apt-get install redis-server, or set REDIS_URL)');
    process.exit(1);
  });
  const deadline = Date.now() + 5000;
  for (;;) {
    const up = await new Promise<boolean>((resolve) => {
      const c = connect(port, '127.0.0.1');
      c.once('connect', () => (c.destroy(), resolve(true)));
      c.once('error', () => resolve(false));
    });
    if (up) break;
    if (Date.now() > deadline) throw new Error('redis-server did not start');
    await new Promise((r) => setTimeout(r, 20));
  }
  console.log(`load test: own redis-server on redis://127.0.0.1:${port}`);
  return { url: `redis://127.0.0.1:${port}`, child };
}

/** The load balancer, for hookpoints: each request to the next instance in turn. */
function balancer(port: number, targets: number[]): Promise<Server> {
  let next = 0;
  const server = createServer((req, res) => {
    const target = targets[next++ % targets.length]!;
    const up = request({ host: '127.0.0.1', port: target, method: req.method, path: req.url, headers: req.headers }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    up.on('error', () => res.writeHead(502).end());
    req.pipe(up);
  });
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(server)));
}

interface Visitor {
  index: number;
  ws: WebSocket;
  chatId: string;
  lastSeq: number;
  /** probe number → times received */
  got: Map<number, number>;
  /** client id → the line's text and how often its echo and the agent's answer arrived */
  lines: Map<string, { text: string; echoes: number; replies: number }>;
}

/** A visitor line's text names its visitor and round, so every copy of it can be traced. */
const lineText = (index: number, round: number) => `visitor line ${index} ${round}`;
const LINE = /^visitor line (\d+) (\d+)$/;
/** The scripted agent quotes the line it answers (sandbox/agent.ts AGENT_LINES.reply). */
const REPLY = /"visitor line (\d+) (\d+)"/;

function percentile(sorted: number[], p: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! : NaN;
}

async function main(): Promise<void> {
  const redis = process.env.REDIS_URL ? { url: process.env.REDIS_URL, child: null } : await ownRedis();
  const prefix = `load${newId(6)}:`;
  const sim = await startOmnideskSimulator({ agent: { delayScale: 0.02 } });
  const [portA, portB, portLb] = [await freePort(), await freePort(), await freePort()];
  const lb = await balancer(portLb, [portA, portB]);
  const stores: RedisStore[] = [];
  const relayLog: string[] = [];
  const relays: RelayHandle[] = [];
  for (const port of [portA, portB]) {
    const store = new RedisStore({ url: redis.url, prefix });
    await store.ready();
    stores.push(store);
    relays.push(
      await startRelay({
        port,
        publicUrl: `http://127.0.0.1:${portLb}`,
        hookSecret: SECRET,
        signingKey: 'load-test-signing-key-0123456789abcdef',
        allowedOrigins: [ORIGIN],
        // Every visitor and the vendor share one loopback address here.
        ipRate: { capacity: 100_000, perMinute: 1_000_000 },
        sockets: { perIp: 100_000 },
        visitorRates: {
          sessionsPerIp: { capacity: 100_000, perMinute: 1_000_000 },
          startsPerIp: { capacity: 100_000, perMinute: 1_000_000 },
        },
        hookRate: { capacity: 100_000, perMinute: 1_000_000 },
        adapters: [
          omnideskAdapterFor(sim, { retry: { attempts: 4, baseDelayMs: 50, timeoutMs: 5000 } }),
        ],
        store,
        drainMs: 2000,
        log: (m) => void relayLog.push(m),
      }),
    );
  }
  const wsUrls = [`ws://127.0.0.1:${portA}/ws`, `ws://127.0.0.1:${portB}/ws`];
  const sentAt = new Map<string, number>();
  const latencies: number[] = [];
  const visitors: Visitor[] = [];

  function open(index: number): Promise<Visitor> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(wsUrls[index % 2]!, { origin: ORIGIN });
      const v: Visitor = { index, ws, chatId: '', lastSeq: 0, got: new Map(), lines: new Map() };
      const timer = setTimeout(() => reject(new Error(`visitor ${index}: no accepted`)), 30_000);
      ws.on('open', () => {
        ws.send(JSON.stringify({ type: 'hello', vendor: 'omnidesk', page: { url: 'https://load.example.com/', referrer: '', locale: 'en', userAgent: 'load', visitorId: `v${index}` } }));
        ws.send(JSON.stringify({ type: 'command', command: { type: 'start', visitor: {}, answers: {} } }));
      });
      ws.on('message', (data) => {
        const f = JSON.parse(data.toString()) as {
          type: string;
          seq?: number;
          event?: { type: string; chatId?: string; message?: { text?: string; sender?: string; clientId?: string } };
        };
        if (f.type !== 'event' || !f.event || typeof f.seq !== 'number') return;
        v.lastSeq = Math.max(v.lastSeq, f.seq);
        if (f.event.type === 'accepted') {
          v.chatId = String(f.event.chatId);
          clearTimeout(timer);
          resolve(v);
        }
        const msg = f.event.message;
        if (msg?.sender === 'visitor' && msg.clientId) {
          const line = v.lines.get(msg.clientId);
          if (line && line.text === msg.text) line.echoes++;
        }
        const reply = msg?.sender === 'agent' ? REPLY.exec(msg.text ?? '') : null;
        if (reply && Number(reply[1]) === index) {
          const line = v.lines.get(`c${reply[2]}`);
          if (line) line.replies++;
        }
        const m = /^probe (\d+) (\d+)$/.exec(msg?.text ?? '');
        if (m && Number(m[1]) === index) {
          const n = Number(m[2]);
          const times = (v.got.get(n) ?? 0) + 1;
          v.got.set(n, times);
          const t0 = sentAt.get(`${index} ${n}`);
          if (times === 1 && t0 !== undefined) latencies.push(performance.now() - t0);
        }
      });
      ws.on('error', () => undefined);
    });
  }

  const t0 = Date.now();
  for (let i = 0; i < SESSIONS; i += 100) {
    visitors.push(...(await Promise.all(Array.from({ length: Math.min(100, SESSIONS - i) }, (_, k) => open(i + k)))));
  }
  console.log(`load test: ${visitors.length} visitors open (${Date.now() - t0} ms), exchanging messages for ${SECONDS} s`);

  const acker = setInterval(() => {
    for (const v of visitors) if (v.ws.readyState === v.ws.OPEN) v.ws.send(JSON.stringify({ type: 'ack', seq: v.lastSeq }));
  }, 1000);

  let hookFailures = 0;
  /** As a vendor does: a 5xx or a network error is retried (up to 3 attempts). */
  async function postProbe(v: Visitor, n: number): Promise<boolean> {
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        // The chat's own hookpoint base (per-session token), which points at the balancer.
        const res = await fetch(`${sim.chatServerOf(v.chatId)}/messageForCustomer`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ sessionID: v.chatId, name: 'Load Agent', message: `probe ${v.index} ${n}` }),
        });
        await res.arrayBuffer();
        if (res.status === 200) return true;
        if (res.status < 500) return false;
      } catch {
        // retried below
      }
      await new Promise((r) => setTimeout(r, 200 * (attempt + 1)));
    }
    return false;
  }
  const posts = new Set<Promise<void>>();
  const deadline = Date.now() + SECONDS * 1000;
  let round = 0;
  while (Date.now() < deadline) {
    // Each 200 ms round: a tenth of the visitors get a probe from the "agent", a twentieth write
    // a line (which the scripted agent answers): ~500 probes/s plus ~250 visitor lines/s.
    for (const v of visitors) {
      if ((v.index + round) % 10 === 0) {
        const seqNo = round;
        sentAt.set(`${v.index} ${seqNo}`, performance.now());
        const p = postProbe(v, seqNo)
          .then((ok) => void (ok || hookFailures++))
          .finally(() => posts.delete(p));
        posts.add(p);
      }
      if ((v.index + round) % 20 === 5) {
        const text = lineText(v.index, round);
        v.lines.set(`c${round}`, { text, echoes: 0, replies: 0 });
        v.ws.send(JSON.stringify({ type: 'command', command: { type: 'send', clientId: `c${round}`, text } }));
      }
    }
    round++;
    await new Promise((r) => setTimeout(r, 200));
  }
  await Promise.all(posts);
  const expected = [...sentAt.keys()];
  // Wait (bounded) for the last probes to arrive.
  const settle = Date.now() + 10_000;
  const missing = () => expected.filter((k) => !visitors[Number(k.split(' ')[0])]!.got.has(Number(k.split(' ')[1]))).length;
  const lines = () => visitors.flatMap((v) => [...v.lines.values()]);
  const unanswered = () => lines().filter((l) => l.echoes === 0 || l.replies === 0).length;
  while ((missing() > 0 || unanswered() > 0) && Date.now() < settle) await new Promise((r) => setTimeout(r, 50));
  await new Promise((r) => setTimeout(r, 300)); // room for a late duplicate to show up
  clearInterval(acker);

  // Visitor lines as Omnidesk got them: per line, the messageNumbers it came with (the relay
  // never resends a line on its own; two numbers would be two messages), and
  // whether it arrived in the chat of the visitor who wrote it.
  const atVendor = new Map<string, Set<unknown>>();
  let misrouted = 0;
  let chatStarts = 0;
  for (const r of sim.received) {
    if (!r.name.endsWith('notifyUserNewChatMessage')) continue;
    const body = r.payload as Record<string, unknown>;
    const m = LINE.exec(String(body.message ?? ''));
    if (!m) {
      if (String(body.message ?? '').startsWith('Visitor started a chat.')) chatStarts++;
      continue;
    }
    if (visitors[Number(m[1])]?.chatId !== body.chatSessionID) misrouted++;
    const numbers = atVendor.get(m[0]) ?? new Set();
    numbers.add(body.messageNumber);
    atVendor.set(m[0], numbers);
  }
  const sentLines = lines();
  const visitorLines = {
    sent: sentLines.length,
    echoedOnce: sentLines.filter((l) => l.echoes === 1).length,
    atVendorOnce: sentLines.filter((l) => atVendor.get(l.text)?.size === 1).length,
    answeredOnce: sentLines.filter((l) => l.replies === 1).length,
    lost: sentLines.filter((l) => l.echoes === 0 || !atVendor.has(l.text) || l.replies === 0).length,
    duplicated: sentLines.filter((l) => l.echoes > 1 || (atVendor.get(l.text)?.size ?? 0) > 1 || l.replies > 1).length,
    misrouted,
  };

  const lost = missing();
  let duplicated = 0;
  for (const v of visitors) for (const times of v.got.values()) if (times > 1) duplicated += times - 1;
  const sorted = latencies.sort((a, b) => a - b);
  const report = {
    sessions: visitors.length,
    seconds: SECONDS,
    probesSent: expected.length,
    hookpointsRejected: hookFailures,
    delivered: expected.length - lost,
    lost,
    duplicated,
    latencyMs: { p50: Math.round(percentile(sorted, 50) * 10) / 10, p99: Math.round(percentile(sorted, 99) * 10) / 10 },
    relayErrors: relayLog.length,
    firstRelayError: relayLog[0],
    chatStarts,
    visitorLines,
    // Requests the Omnidesk simulator refused as breaking its API specification.
    vendorViolations: sim.violations.length,
    firstVendorViolation: sim.violations[0],
  };
  console.log(JSON.stringify(report, null, 2));

  for (const v of visitors) v.ws.terminate();
  for (const r of relays) await r.close();
  for (const s of stores) await s.close();
  await new Promise((r) => lb.close(r));
  lb.closeAllConnections();
  await sim.close();
  stopOwnRedis();
  const linesOk = visitorLines.lost === 0 && visitorLines.duplicated === 0 && visitorLines.misrouted === 0;
  process.exit(lost === 0 && duplicated === 0 && hookFailures === 0 && linesOk && report.vendorViolations === 0 ? 0 : 1);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
