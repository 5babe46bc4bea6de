/**
 * The sandbox: every vendor's simulator on loopback, driven by the shared scripted agent,
 * plus the demo page and the built widget on one HTTP origin. `npm start` runs it; the
 * Playwright suite starts one per worker through `startSandbox()`.
 *
 * Routes on the demo origin:
 *   GET  /sandbox.json                 the data-* attributes the demo uses per vendor
 *   GET  /__sandbox/received?vendor=x  what that vendor's simulator received (tests)
 *   POST /__sandbox/available          body "true" | "false": agents available or not
 *   POST /__sandbox/expertflow         body {"socketio": 2 | 4, "bot": true | false}: the ExpertFlow
 *                                      server's socket.io generation (a restart in place) and
 *                                      whether new chats start with a bot
 *   POST /__sandbox/flood?vendor=whoson&n=1000
 *                                      the agent sends n numbered lines at once to every open
 *                                      chat (benchmarks of long conversations; WhosOn only)
 *   /agent, /__sandbox/desk...         the agent console and its wire inspector (desk-routes.ts)
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { ScriptedAgentOptions } from './agent';
import { Desk } from './desk';
import { deskRoutes } from './desk-routes';
import { serveLoopbackModule } from './tencent-loopback-module';
import { serveStatic } from './static';
import type { ReceivedFrame } from './types';

export type SandboxVendor = 'whoson' | 'expertflow' | 'expertflow-cx' | 'tencent' | 'omnidesk' | 'diyalog';
export const SANDBOX_VENDORS: readonly SandboxVendor[] = ['whoson', 'expertflow', 'expertflow-cx', 'tencent', 'omnidesk', 'diyalog'];

/** One running vendor: the attributes a site owner would set, and its received log. */
export interface VendorSandbox {
  attributes: Record<string, string>;
  received: ReceivedFrame[];
  close(): Promise<void>;
  /**
   * Stop the vendor's server and start it again on the same port with the same
   * conversations (a restart of its front-end); `whileDown` runs in between.
   */
  restart?(whileDown?: () => Promise<void>): Promise<void>;
  /** The vendor's next chat request fails with this HTTP status (then succeeds again). */
  failNextStart?(status?: number): void;
  /** Fault hook: for `ms`, the server keeps its sockets open but neither reads nor writes. */
  stall?(ms: number): void;
  /** The frames a stall swallowed (raw text), oldest first: a test waits on these, not on time. */
  swallowed?(): readonly string[];
  /** Fault hook: cut every widget's socket from the server side (the server itself stays up). */
  dropClients?(): number;
  /** Fault hook: every logged-in visitor's credentials expire now (Tencent's userSig). */
  expireSigs?(): number;
  /** Fault hook: from now on each agent frame arrives twice, then the one before it again. */
  garble?(on: boolean): void;
  /** Benchmark hook: the agent sends `n` lines to every open chat; answers how many chats got them. */
  flood?(n: number, prefix: string): number;
  /** Frames the simulator found breaking the vendor's rules (tests assert none). */
  readonly violations?: readonly string[];
  /** WhosOn test hooks: the site's settings (survey fields, language selector, spellings), */
  site?(settings: import('./whoson').SiteSettings): void;
  /** operators held in the queue until released, and the queue timing out now. */
  holdOperators?(on: boolean): void;
  queueTimeout?(): number;
  /** ExpertFlow: the socket.io generation the server runs; switching restarts it in place. */
  socketio?(generation?: 2 | 4): Promise<2 | 4>;
  /** ExpertFlow: new chats start with a bot (greets, answers, hands off when asked for a person). */
  botFirst?(on?: boolean): boolean;
}

interface VendorContext {
  agent: ScriptedAgentOptions;
  /** The demo page's origin, for CORS / Origin allowlists. */
  origin: string;
}

type Starter = (ctx: VendorContext) => Promise<VendorSandbox>;

const STARTERS: Record<SandboxVendor, Starter> = {
  whoson: async ({ agent }) => {
    const { startWhosOnSimulator } = await import('./whoson');
    // A restart loses every WhosOn session, as the real server's would.
    const sims = [await startWhosOnSimulator({ agent })];
    const live = () => sims[sims.length - 1]!;
    const port = Number(new URL(live().url).port);
    return {
      attributes: { server: live().url, ...live().options },
      get received() {
        return sims.flatMap((s) => s.received);
      },
      flood: (n, prefix) => live().flood(n, prefix),
      stall: (ms) => live().stall(ms),
      swallowed: () => live().swallowed,
      dropClients: () => live().dropClients(),
      get violations() {
        return sims.flatMap((s) => s.violations);
      },
      site: (settings) => live().site(settings),
      holdOperators: (on) => live().holdOperators(on),
      queueTimeout: () => live().queueTimeout(),
      async restart(whileDown) {
        await live().close();
        await whileDown?.();
        sims.push(await startWhosOnSimulator({ agent, port }));
      },
      close: () => live().close(),
    };
  },
  expertflow: async ({ agent }) => {
    const { startExpertFlowSimulator, createExpertFlowStore } = await import('./expertflow');
    // The store outlives a restart, so a chat can go on across one.
    const state = createExpertFlowStore();
    let generation: 2 | 4 = 4;
    const first = await startExpertFlowSimulator({ agent, state, socketio: generation });
    const port = Number(new URL(first.url).port);
    const sims = [first];
    let live = first;
    const restart = async (whileDown?: () => Promise<void>) => {
      await live.close();
      await whileDown?.();
      live = await startExpertFlowSimulator({ agent, state, port, socketio: generation });
      sims.push(live);
    };
    return {
      attributes: { server: first.url, ...first.options },
      // Every run of the server's frames, oldest first.
      get received() {
        return sims.flatMap((s) => s.received);
      },
      failNextStart: (status = 503) => void state.initFailures.push(status),
      garble: (on) => void (state.garble = on),
      restart,
      async socketio(next) {
        if (next && next !== generation) {
          generation = next;
          await restart();
        }
        return generation;
      },
      botFirst: (on) => (state.bot = on ?? state.bot),
      violations: state.violations,
      async close() {
        await live.close();
        state.dispose();
      },
    };
  },
  'expertflow-cx': async ({ agent }) => {
    const { startCxSimulator } = await import('./expertflow-cx');
    const sim = await startCxSimulator({ agent });
    return {
      attributes: { server: sim.url, ...sim.options },
      received: sim.received,
      violations: sim.violations,
      failNextStart: (status = 500) => sim.failNextStart(status),
      dropClients: () => sim.dropClients(),
      close: () => sim.close(),
    };
  },
  tencent: async ({ agent }) => {
    const { startTencentSimulator } = await import('./tencent');
    const sim = await startTencentSimulator({ agent });
    return {
      attributes: { ...sim.options },
      received: sim.received,
      violations: sim.violations,
      dropClients: () => sim.dropClients(),
      expireSigs: () => sim.expireSigs(),
      close: () => sim.close(),
    };
  },
  omnidesk: async ({ agent, origin }) => {
    const { startOmnideskWithRelay } = await import('./omnidesk-stack');
    return startOmnideskWithRelay({ agent, origin });
  },
  diyalog: async ({ agent, origin }) => {
    const { startDiyalogWithRelay } = await import('./diyalog-stack');
    return startDiyalogWithRelay({ agent, origin });
  },
};

export interface SandboxOptions {
  /** Port for the demo origin; 0 picks a free one. */
  port?: number;
  /** The folder served as the demo origin (the build output). */
  staticDir?: string;
  /** Scripted agent speed: 1 for people, small for tests. */
  delayScale?: number;
  vendors?: readonly SandboxVendor[];
  /** Extra response headers for static files (e.g. a Content-Security-Policy in tests). */
  headers?: Record<string, string>;
  /** gzip text responses (the benchmark measures what a CDN would transfer). */
  compress?: boolean;
  /** The demo page's origin when another server fronts this one (the dev server); default: this server's. */
  origin?: string;
}

export interface Sandbox {
  url: string;
  vendors: Partial<Record<SandboxVendor, VendorSandbox>>;
  setAvailable(available: boolean): void;
  /** Change how the scripted agent behaves for the chats that start from now on. */
  tune(options: Pick<ScriptedAgentOptions, 'delayScale' | 'queueFrom' | 'inject' | 'pageTimeoutMs' | 'clock'>): void;
  close(): Promise<void>;
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

async function readSmallBody(req: IncomingMessage): Promise<string> {
  let body = '';
  for await (const chunk of req) {
    body += String(chunk);
    if (body.length > 1024) break;
  }
  return body;
}

export async function startSandbox(opts: SandboxOptions = {}): Promise<Sandbox> {
  const staticDir = opts.staticDir ?? fileURLToPath(new URL('../../../dist', import.meta.url));
  const state = { available: true };
  const vendors: Partial<Record<SandboxVendor, VendorSandbox>> = {};
  const desks: Record<string, Desk> = {};
  /** Each vendor's own copy of the agent options (it carries that vendor's desk); tune() updates all. */
  const perVendor: ScriptedAgentOptions[] = [];

  const server = createServer((req, res) => {
    void (async () => {
      const path = (req.url ?? '/').split('?')[0];
      if (path === '/sandbox.json') {
        const out: Record<string, Record<string, string>> = {};
        for (const [name, v] of Object.entries(vendors)) out[name] = { vendor: name, ...v.attributes };
        const ef = vendors.expertflow;
        const expertflow = ef?.socketio && ef.botFirst ? { socketio: await ef.socketio(), bot: ef.botFirst() } : undefined;
        return json(res, 200, { vendors: out, available: state.available, ...(expertflow ? { expertflow } : {}) });
      }
      if (path === '/__sandbox/expertflow' && req.method === 'POST') {
        const ef = vendors.expertflow;
        type Settings = { socketio?: unknown; bot?: unknown } | null;
        const body = await readSmallBody(req).then(
          (text) => JSON.parse(text) as Settings,
          () => null,
        ).catch(() => null);
        if (!body || typeof body !== 'object') return json(res, 400, { error: 'expected a JSON object' });
        if (!ef?.socketio || !ef.botFirst) return json(res, 404, { error: 'no expertflow sandbox' });
        const bot = ef.botFirst(typeof body.bot === 'boolean' ? body.bot : undefined);
        const socketio = await ef.socketio(body.socketio === 2 || body.socketio === 4 ? body.socketio : undefined);
        return json(res, 200, { socketio, bot });
      }
      if (path === '/__sandbox/received') {
        const vendor = new URL(req.url ?? '/', 'http://x').searchParams.get('vendor') ?? '';
        const v = vendors[vendor as SandboxVendor];
        return v ? json(res, 200, v.received) : json(res, 404, { error: `no vendor ${vendor}` });
      }
      if (path === '/__sandbox/available' && req.method === 'POST') {
        state.available = (await readSmallBody(req)).trim() !== 'false';
        return json(res, 200, { available: state.available });
      }
      if (path === '/__sandbox/flood' && req.method === 'POST') {
        const q = new URL(req.url ?? '/', 'http://x').searchParams;
        const v = vendors[(q.get('vendor') ?? '') as SandboxVendor];
        const n = Math.min(Math.max(Number(q.get('n')) || 0, 0), 50_000);
        if (!v?.flood) return json(res, 404, { error: 'flood is implemented for whoson only' });
        return json(res, 200, { chats: v.flood(n, (q.get('prefix') ?? 'Line').slice(0, 40)) });
      }
      if (await deskRoutes(req, res, desks)) return;
      if (await serveLoopbackModule(req, res)) return;
      if (await serveStatic(staticDir, req, res, opts.headers, opts.compress)) return;
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
    })().catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const agent: ScriptedAgentOptions = { delayScale: opts.delayScale ?? 1, available: () => state.available };
  try {
    for (const name of opts.vendors ?? SANDBOX_VENDORS) {
      const desk = new Desk(name, () => vendors[name]?.received ?? []);
      const options: ScriptedAgentOptions = { ...agent, desk };
      perVendor.push(options);
      desks[name] = desk;
      vendors[name] = await STARTERS[name]({ agent: options, origin: opts.origin ?? url });
    }
  } catch (err) {
    await Promise.allSettled(Object.values(vendors).map((v) => v.close()));
    server.close();
    throw err;
  }

  return {
    url,
    vendors,
    setAvailable: (available) => {
      state.available = available;
    },
    tune: (options) => {
      // Simulators read the shared options object at each new conversation.
      Object.assign(agent, options);
      for (const each of perVendor) Object.assign(each, options);
    },
    async close() {
      await Promise.allSettled(Object.values(vendors).map((v) => v.close()));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** `npm start` / `npm run sandbox`: run until interrupted. */
async function main(): Promise<void> {
  const port = Number(process.env.PORT ?? 8080);
  const delayScale = Number(process.env.CONFAB_AGENT_SPEED ?? 1);
  const sandbox = await startSandbox({ port, delayScale });
  // A few lines: where to go. Each vendor's addresses are in /sandbox.json.
  console.log(`\n  Demo:          ${sandbox.url}/`);
  console.log(`  Agent console: ${sandbox.url}/agent  (open it beside the demo to answer as the agent)`);
  console.log(`  Vendors:       ${Object.keys(sandbox.vendors).join(', ')} (addresses: ${sandbox.url}/sandbox.json)`);
  console.log('\nPress Ctrl+C to stop.');
  const stop = () => void sandbox.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
