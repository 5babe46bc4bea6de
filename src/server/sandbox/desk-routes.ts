/**
 * The agent console's HTTP side on the demo origin:
 *   GET  /agent                             the console page (agent.html from the build)
 *   GET  /__sandbox/desk?vendor=x           the chat in progress and the wire so far (JSON)
 *   GET  /__sandbox/desk/events?vendor=x    the same, live (Server-Sent Events: `chat`, `wire`)
 *   POST /__sandbox/desk/act?vendor=x       body {"action": "...", "text"?: "..."}: a person acts
 *   POST /__sandbox/desk/hold?vendor=x      body "true" | "false": new chats are a person's from the start
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Desk, DeskEvent } from './desk';

/** How often an open event stream looks for new inbound frames in the simulator's log. */
const PULL_MS = 150;
/** Open console streams per desk (each holds a timer and a socket). */
const MAX_STREAMS = 16;

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

async function readBody(req: IncomingMessage, limit: number): Promise<string | null> {
  let body = '';
  for await (const chunk of req) {
    body += String(chunk);
    if (body.length > limit) return null;
  }
  return body;
}

const streams = new WeakMap<Desk, number>();

/** Answers true when the request was the console's. `desks`: the running vendors' desks. */
export async function deskRoutes(req: IncomingMessage, res: ServerResponse, desks: Record<string, Desk>): Promise<boolean> {
  const url = new URL(req.url ?? '/', 'http://x');
  if (url.pathname === '/agent' && req.method === 'GET') {
    // The static server serves the page; keep the query (?vendor=) for its script.
    req.url = `/agent.html${url.search}`;
    return false;
  }
  if (!url.pathname.startsWith('/__sandbox/desk')) return false;
  const vendor = url.searchParams.get('vendor') ?? '';
  const desk = Object.hasOwn(desks, vendor) ? desks[vendor] : undefined;
  if (!desk) return json(res, 404, { error: `no vendor ${vendor.slice(0, 40)}` }), true;

  if (url.pathname === '/__sandbox/desk' && req.method === 'GET') {
    return json(res, 200, { ...desk.snapshot(), wire: desk.wire() }), true;
  }
  if (url.pathname === '/__sandbox/desk/act' && req.method === 'POST') {
    const raw = await readBody(req, 8192);
    type Act = { action?: unknown; text?: unknown } | null;
    let body: Act;
    try {
      body = raw === null ? null : (JSON.parse(raw) as Act);
    } catch {
      body = null;
    }
    if (!body || typeof body !== 'object' || typeof body.action !== 'string') return json(res, 400, { error: 'expected {"action": string}' }), true;
    const error = desk.act(body.action, typeof body.text === 'string' ? body.text : '');
    return json(res, error ? 409 : 200, error ? { error } : desk.snapshot()), true;
  }
  if (url.pathname === '/__sandbox/desk/hold' && req.method === 'POST') {
    desk.hold = (await readBody(req, 16))?.trim() === 'true';
    return json(res, 200, desk.snapshot()), true;
  }
  if (url.pathname === '/__sandbox/desk/events' && req.method === 'GET') {
    const open = streams.get(desk) ?? 0;
    if (open >= MAX_STREAMS) return json(res, 429, { error: 'too many consoles' }), true;
    streams.set(desk, open + 1);
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
    const send = (e: DeskEvent) => {
      res.write(`event: ${e.type}\ndata: ${JSON.stringify(e.type === 'chat' ? e.snapshot : e.frame)}\n\n`);
    };
    send({ type: 'chat', snapshot: desk.snapshot() });
    for (const frame of desk.wire()) send({ type: 'wire', frame });
    const unsubscribe = desk.subscribe(send);
    const timer = setInterval(() => desk.pullReceived(), PULL_MS);
    timer.unref();
    const stop = () => {
      clearInterval(timer);
      unsubscribe();
      streams.set(desk, Math.max(0, (streams.get(desk) ?? 1) - 1));
    };
    req.socket.once('close', stop);
    res.once('error', stop);
    return true;
  }
  return json(res, 404, { error: 'not found' }), true;
}
