/**
 * Tencent Cloud Desk simulator: the desk's service flow (custom messages keyed by `src`, as in
 * vendor-docs/tencent-desk-custom-messages.txt) behind the sandbox's loopback JSON protocol
 * (tencent-loopback-protocol.ts), plus the site-side userSig endpoint.
 *
 *   POST /usersig   {visitorId, userID?} → {userID, userSig}   (what a site's server does)
 *   ws://…/         login / send / history; pushes message / modified / kicked
 *
 * Flow: the trigger (src 7) gets the evaluation settings (23), seat status outSeat (26), the
 * robot's welcome list (29 `welcome_msg`, seven questions: the widget pages them by five) and
 * the welcome branch (15). The desk is bot-first: its robot answers the welcome questions by
 * exact text (the strong match of src 15), as Tencent's robot messages do (the customer-service
 * plugin 2.2.6, notes/vendors-in-the-field.md T2): "How long does delivery take?" streams its
 * answer (31, `chunks` growing through MESSAGE_MODIFIED until `isFinished: 1`), then sends
 * rich text (30, Markdown with a link; also an unsafe link and raw HTML, for the sanitizer),
 * a text line, and a robot answer (29) with follow-up choices. A visitor line with "recall"
 * makes the desk recall its last text line (MESSAGE_REVOKED, `isRevoked` in history) and
 * correct it. Robot messages carry `chatbotPlugin: 1` instead of `customerServicePlugin: 0`.
 * Choosing (exact text) "Order status" answers, "Talk to a human"
 * (or any text with "human") seats the ScriptedAgent (26 inSeat, typing 12, replies; with nobody
 * available, src 18 instead), "Fill
 * in a form" asks an options form then a free-text form (21), "Show me a card" sends a card
 * (22). "rate" sends a star satisfaction request (9), "rate numbers" a numeric one; a
 * selection (10) comes back as the same src 9 modified with `selected`. src 24 asks for the
 * rating in seat; src 27 ends (19); "timeout" ends with the timeout flag (20). A second login
 * of the same userID kicks the first socket ('multipleAccount'), like Tencent's default.
 *
 * Violations (the document's rules; tests assert none): src 7, 10, 24 and 27 not sent
 * online-only ("When sending this message you need to set the parameter onlineUserOnly to
 * true"); src 27 while no agent holds the seat (src 27: "When the user side has accessed the
 * agent, they can send [it]"), which the desk refuses (no end flag); a src 10 whose
 * `sessionId` is not the rating's (the plugin echoes the desk's, or '' when there is none).
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import type { LoopbackPush, LoopbackRequest } from './tencent-loopback-protocol';
import type { ReceivedFrame, SimulatorHandle, SimulatorOptions } from './types';
import { DESK, isObj, ONLINE_ONLY, tencentDesk, type TencentConversation } from './tencent-desk';

export { RICH_TEXT, STREAMED_ANSWER, WELCOME_BRANCH, WELCOME_QUESTIONS } from './tencent-desk';

export interface TencentSimulatorOptions extends SimulatorOptions {
  sdkAppId?: string;
  /** How long a satisfaction request stays open (default 12 h, the docs' effectiveHour). */
  ratingLifetimeSeconds?: number;
  /** The simulated server clock minus the real one (ms), to exercise skew handling. */
  clockSkewMs?: number;
}

export interface TencentSimulatorHandle extends SimulatorHandle {
  /** Fault hook: cut every widget's socket; conversations and history stay (as Tencent's do). */
  dropClients(): number;
  /**
   * Fault hook: every logged-in visitor's userSig expires now. Like the SDK, each is told
   * (KICKED_OUT, userSigExpired) and logged out, its socket left open; the old sig is refused
   * from then on, so only a freshly minted one logs in again.
   */
  expireSigs(): number;
  /** Frames that broke the desk document's rules (see the header), oldest first. */
  violations: string[];
}

export async function startTencentSimulator(opts: TencentSimulatorOptions = {}): Promise<TencentSimulatorHandle> {
  const host = opts.host ?? '127.0.0.1';
  const sdkAppId = opts.sdkAppId ?? '1400000000';
  const received: ReceivedFrame[] = [];
  const violations: string[] = [];
  const sigs = new Map<string, string>();
  const conversations = new Map<string, TencentConversation>();
  const timers = new Set<ReturnType<typeof setTimeout>>();
  const scale = opts.agent?.delayScale ?? 1;
  const serverNow = (): number => Date.now() + (opts.clockSkewMs ?? 0);
  /** `chat`: the visitor's userID (their one conversation with the desk), for the agent console's inspector. */
  const record = (channel: string, name: string, payload: unknown, chat?: string): void => {
    received.push({ at: Date.now(), channel, name, payload, ...(chat ? { chat } : {}) });
  };
  const later = (ms: number, fn: () => void): void => {
    const h = setTimeout(() => {
      timers.delete(h);
      fn();
    }, Math.round(ms * scale));
    timers.add(h);
  };

  // --- userSig endpoint (the site's server in real life) ---
  const http = createServer((req, res) => void onHttp(req, res));
  async function onHttp(req: IncomingMessage, res: ServerResponse): Promise<void> {
    res.setHeader('access-control-allow-origin', '*');
    res.setHeader('access-control-allow-headers', 'content-type');
    if (req.method === 'OPTIONS') return void res.writeHead(204).end();
    if (req.method !== 'POST' || req.url !== '/usersig') return void res.writeHead(404).end();
    let raw = '';
    for await (const chunk of req) {
      raw += String(chunk);
      if (raw.length > 4096) return void res.writeHead(413).end();
    }
    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch {
      return void res.writeHead(400).end();
    }
    record('http', 'POST /usersig', body);
    const visitorId = isObj(body) && typeof body.visitorId === 'string' ? body.visitorId.slice(0, 64) : '';
    if (!visitorId) return void res.writeHead(400).end();
    // Stable per visitor: the same browser keeps its userID (and so its history).
    const userID = `visitor_${visitorId.replace(/[^A-Za-z0-9_-]/g, '_')}`;
    const userSig = randomUUID();
    sigs.set(userSig, userID);
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ userID, userSig }));
  }

  const { view, create, onVisitorText, onVisitorCustom } = tencentDesk({
    agent: opts.agent,
    ratingLifetimeSeconds: opts.ratingLifetimeSeconds,
    serverNow,
    later,
    violations,
  });

  // --- loopback socket ---
  const wss = new WebSocketServer({ server: http, maxPayload: 64 * 1024 });
  wss.on('connection', (ws) => {
    let conv: TencentConversation | undefined;
    const reply = (frame: LoopbackPush): void => void (ws.readyState === 1 && ws.send(JSON.stringify(frame)));
    ws.on('message', (raw) => {
      let req: LoopbackRequest;
      try {
        req = JSON.parse(String(raw)) as LoopbackRequest;
        if (!isObj(req) || typeof req.seq !== 'number') throw new Error('no seq');
      } catch {
        record('tencent', 'malformed', String(raw).slice(0, 200));
        return;
      }
      const fail = (code: number, error: string): void => reply({ op: 'reply', seq: req.seq, ok: false, code, error });
      if (req.op === 'login') {
        record('tencent', 'login', { userID: req.userID }, req.userID);
        if (sigs.get(req.userSig) !== req.userID) return fail(70001, 'userSig invalid');
        conv = conversations.get(req.userID);
        if (!conv) {
          conv = { userID: req.userID, history: [], byId: new Map(), seat: 'out', ratings: new Map(), lastText: '', faq: false };
          conversations.set(req.userID, conv);
        }
        const previous = conv.socket;
        conv.socket = ws;
        conv.userSig = req.userSig;
        if (previous && previous !== ws && previous.readyState === 1) {
          previous.send(JSON.stringify({ op: 'kicked', reason: 'multipleAccount' } satisfies LoopbackPush));
          previous.close();
        }
        return reply({ op: 'reply', seq: req.seq, ok: true, serverTime: serverNow() });
      }
      const c = conv;
      if (!c || c.socket !== ws) return fail(2024, 'not logged in');
      if (req.op === 'history') {
        const end = req.next ? c.history.findIndex((m) => m.ID === req.next) : c.history.length;
        const stop = end < 0 ? 0 : end;
        const start = Math.max(0, stop - 15);
        const page = { messages: c.history.slice(start, stop).map((m) => view(c, m)), complete: start === 0, ...(start > 0 && { next: c.history[start]?.ID }) };
        return reply({ op: 'reply', seq: req.seq, ok: true, page });
      }
      if (req.op !== 'send' || !isObj(req.message) || req.to !== DESK) return fail(2106, 'bad send');
      const onlineUserOnly = req.onlineUserOnly === true;
      const msg = req.message;
      if (msg.op === 'text' && typeof msg.text === 'string') {
        record('tencent', 'text', { text: msg.text, onlineUserOnly }, c.userID);
        const m = create(c, c.userID, 'TIMTextElem', { text: msg.text });
        if (!onlineUserOnly) c.history.push(m);
        reply({ op: 'reply', seq: req.seq, ok: true, message: view(c, m) });
        return later(150, () => onVisitorText(c, msg.text));
      }
      if (msg.op === 'custom' && typeof msg.data === 'string') {
        let data: unknown;
        try {
          data = JSON.parse(msg.data);
        } catch {
          data = undefined;
        }
        // cloudCustomData: the SDK's createCustomMessage option, a string (notes/tencent-sdk.md).
        const cloud = msg.cloudCustomData;
        if (cloud !== undefined && typeof cloud !== 'string') violations.push('cloudCustomData that is not a string');
        record('tencent', isObj(data) ? `src:${String(data.src)}` : 'custom', {
          data: data ?? msg.data,
          onlineUserOnly,
          ...(typeof cloud === 'string' && { cloudCustomData: cloud }),
        }, c.userID);
        const src = isObj(data) ? String(data.src) : '';
        if (ONLINE_ONLY.has(src) && !onlineUserOnly) violations.push(`src ${src} sent without onlineUserOnly`);
        const m = create(c, c.userID, 'TIMCustomElem', { data: msg.data, description: '', extension: '' });
        if (!onlineUserOnly) c.history.push(m);
        reply({ op: 'reply', seq: req.seq, ok: true, message: view(c, m) });
        if (isObj(data)) later(150, () => onVisitorCustom(c, data));
        return;
      }
      fail(2106, 'bad message');
    });
    ws.on('close', () => {
      if (conv?.socket === ws) conv.socket = undefined;
    });
  });

  await new Promise<void>((resolve) => http.listen(opts.port ?? 0, host, resolve));
  const { port } = http.address() as AddressInfo;
  const url = `ws://${host}:${port}/`;
  return {
    vendor: 'tencent',
    url,
    options: { sdkAppId, to: DESK, userSigUrl: `http://${host}:${port}/usersig`, sandbox: url },
    received,
    violations,
    expireSigs() {
      let n = 0;
      for (const c of conversations.values()) {
        if (!c.socket || c.socket.readyState !== 1) continue;
        if (c.userSig) sigs.delete(c.userSig);
        c.socket.send(JSON.stringify({ op: 'kicked', reason: 'userSigExpired' } satisfies LoopbackPush));
        record('tencent', 'kicked', { userID: c.userID, reason: 'userSigExpired' }, c.userID);
        c.socket = undefined;
        n++;
      }
      return n;
    },
    dropClients() {
      for (const client of wss.clients) client.terminate();
      return wss.clients.size;
    },
    async close() {
      for (const t of timers) clearTimeout(t);
      for (const c of conversations.values()) c.agent?.stop();
      for (const client of wss.clients) client.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}
