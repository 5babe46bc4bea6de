/**
 * The relay's HTTP side: health and readiness, signed file downloads, the configured extra
 * routes, and the vendor hookpoints (secret, per-session token, IP allowlist, rate, body caps),
 * each hookpoint answered only once what it did is committed. Everything else is 401.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { HookpointBody, HookpointReply, HookpointRoute, RelayAdapter } from './adapter';
import { describe, type RelayEnv } from './env';
import { hookpointPath, hookTokenOpens } from './hook-tokens';
import { BodyError, readHookpointBody } from './http-body';
import { SessionGone, type SessionRegistry } from './registry';
import { withinGrace } from './store-grace';
import type { RelaySession } from './session';
import { StaleCommit } from './store';
import { safeEqual, sign } from './tokens';
import { observeHookpoint } from './telemetry';

/** A hookpoint whose commit met newer state is handled again this many times in all. */
const HOOK_ATTEMPTS = 3;

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, {
    'content-type': 'application/json',
    'cache-control': 'no-store',
    // JSON is data: never sniffed into something else, never a document that runs anything.
    'x-content-type-options': 'nosniff',
    'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
    ...headers,
  });
  res.end(JSON.stringify(body));
}

export function serveHttp(env: RelayEnv, server: Server, registry: SessionRegistry): void {
  const { config, store, log, adapters, extraRoutes, clientIp, origins, maxBodyBytes, maxUploadBytes } = env;
  const { local, load, operate, storeLost } = registry;
  const httpLimiter = env.limits.http;
  const hookLimiter = env.limits.hook;

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    void route(req, res).catch((err: unknown) => {
      log(`request failed: ${describe(err)}`);
      json(res, 500, { success: false });
    });
  });

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const ip = clientIp(req);
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://relay');
    } catch {
      req.resume();
      return json(res, 400, { success: false, error: 'bad request target' }, { connection: 'close' });
    }
    const parts = url.pathname.split('/').filter(Boolean);
    const origin = req.headers.origin;
    const cors: Record<string, string> =
      origin && origins.has(origin) ? { 'access-control-allow-origin': origin, vary: 'Origin' } : {};

    if (req.method === 'GET' && url.pathname === '/healthz') return json(res, 200, { ok: true });
    if (req.method === 'GET' && url.pathname === '/readyz') {
      // Take no new visitors while draining, nor while the store does not answer.
      const ready = !env.closing() && (await storeAnswers());
      return json(res, ready ? 200 : 503, { ready });
    }

    if (parts[0] === 'files' && parts.length === 3 && (req.method === 'GET' || req.method === 'HEAD')) {
      if (!(await httpLimiter.take(ip))) return json(res, 429, { success: false });
      const file = await store.getFile(parts[1]!);
      const sig = url.searchParams.get('sig') ?? '';
      if (!file || !safeEqual(sig, sign(config.signingKey, 'file', `${file.sessionId}/${parts[1]!}`))) return json(res, 403, { success: false }, cors);
      res.writeHead(200, {
        ...cors,
        'content-type': file.mime,
        'content-length': String(file.bytes.length),
        // Served as a download in a sandbox: an uploaded HTML or SVG file can never run here.
        'content-disposition': `attachment; filename*=UTF-8''${encodeURIComponent(file.name)}`,
        'x-content-type-options': 'nosniff',
        'content-security-policy': "default-src 'none'; sandbox",
        'cache-control': 'private, max-age=3600',
        'cross-origin-resource-policy': 'cross-origin',
      });
      res.end(req.method === 'HEAD' ? undefined : Buffer.from(file.bytes));
      return;
    }
    if (req.method === 'OPTIONS' && parts[0] === 'files') {
      res.writeHead(cors['access-control-allow-origin'] ? 204 : 403, { ...cors, 'access-control-allow-methods': 'GET, HEAD' });
      res.end();
      return;
    }

    const extra = extraRoutes.get(url.pathname);
    if (extra) return extra.handle(req, res, { clientIp: ip });

    const hookPath = req.method === 'POST' ? hookpointPath(parts) : null;
    if (hookPath) observeHookpoint(res, adapters.get(hookPath.vendor), hookPath.route);
    if (!hookPath || !safeEqual(hookPath.secret, config.hookSecret)) {
      // Wrong secret, wrong path, wrong method: all look the same, and guessing is rate limited.
      req.resume();
      if (!(await httpLimiter.take(ip))) return json(res, 429, { success: false });
      return json(res, 401, { success: false, error: 'unauthorized' });
    }
    if (config.hookIpAllowlist?.length && !config.hookIpAllowlist.includes(ip)) {
      req.resume();
      return json(res, 403, { success: false, error: 'forbidden' });
    }
    if (!(await hookLimiter.take(ip))) {
      req.resume();
      return json(res, 429, { success: false, error: 'rate limited' });
    }
    const factory = adapters.get(hookPath.vendor);
    const hook = factory?.routes.find((r) => r.path === hookPath.route);
    if (!factory || !hook) {
      req.resume();
      return json(res, 404, { success: false, error: 'unknown hookpoint' });
    }
    let body;
    try {
      body = await readHookpointBody(req, { maxBodyBytes, maxUploadBytes });
    } catch (err) {
      if (err instanceof BodyError) return json(res, err.status, { success: false, error: err.message }, { connection: 'close' });
      throw err;
    }
    // Each session the handler finds stays held (no other operation on it, here or on another
    // instance) until the handler returns; then its events are committed, and only then does
    // the vendor hear 200, so an acknowledged hookpoint is never lost to a crash. Hookpoint
    // handlers only change the session (they call no vendor), so one whose commit was refused
    // as stale is simply handled again on the current state.
    for (let attempt = 1; ; attempt++) {
      const outcome = await hookOnce(hook, body, factory.vendor, hookPath.token);
      if (outcome.failed?.reason instanceof StaleCommit && attempt < HOOK_ATTEMPTS) continue;
      if (outcome.failed) throw outcome.failed.reason;
      return json(res, outcome.reply.status, outcome.reply.body);
    }
  }

  async function hookOnce(
    hook: HookpointRoute,
    body: HookpointBody,
    vendor: string,
    token: string | undefined,
  ): Promise<{ reply: HookpointReply; failed?: PromiseRejectedResult }> {
    const held: { release(): void; done: Promise<void> }[] = [];
    const find = async (key: string): Promise<RelayAdapter | undefined> => {
      const mine = () => [...local.values()].find((s) => s.vendor === vendor && s.adapter.hookKey === key);
      let session: RelaySession | null;
      try {
        // A failover is waited out within the store's grace (./store-grace.ts).
        const id = await withinGrace(store, () => store.idByHookKey(vendor, key));
        // The session's own token must be in the path: the global secret alone opens no chat.
        if (id && !hookTokenOpens(config.signingKey, id, token)) return undefined;
        session = id ? await withinGrace(store, () => load(id)) : null;
      } catch (err) {
        // The store is out: this message cannot be kept. A visitor here is told now; the
        // vendor hears 5xx (its retry may find the store back).
        const lost = mine();
        if (lost) storeLost(lost, `hookpoint: ${describe(err)}`);
        throw err;
      }
      if (!session) {
        // The store no longer knows a session this instance is serving (Redis came back empty):
        // the vendor's message has nowhere to go, and the visitor would wait for ever.
        const lost = mine();
        if (lost && store.shared) storeLost(lost, 'the session is gone from the store');
        return undefined;
      }
      let release!: () => void;
      const released = new Promise<void>((r) => (release = r));
      let entered!: () => void;
      const inside = new Promise<void>((r) => (entered = r));
      const done = operate(session, async () => {
        entered();
        await released;
      });
      held.push({ release, done });
      try {
        await Promise.race([inside, done]);
      } catch {
        return undefined;
      }
      return session.adapter;
    };
    let reply;
    try {
      reply = await hook.handle(body, find);
    } finally {
      for (const h of held) h.release();
    }
    const committed = await Promise.allSettled(held.map((h) => h.done));
    const failed = committed.find((c): c is PromiseRejectedResult => c.status === 'rejected' && !(c.reason instanceof SessionGone));
    return { reply, failed };
  }

  /** The store answers within a bound (a hung store is not ready). */
  async function storeAnswers(): Promise<boolean> {
    if (!store.ping) return true;
    let timer: unknown;
    const timeout = new Promise<boolean>((r) => (timer = env.clock.setTimeout(() => r(false), 2000)));
    try {
      return await Promise.race([store.ping().then(() => true, () => false), timeout]);
    } finally {
      env.clock.clearTimeout(timer);
    }
  }
}
