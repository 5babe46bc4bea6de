/**
 * Diyalog simulator. Diyalog's document specifies the SDK's methods and states, not the wire
 * between its SDK and its server, nor the URL of gettransactionhashforonlinehelp. So this
 * simulator speaks a SANDBOX-ONLY protocol (paths under /__sandbox/diyalog/, JSON frames
 * with an `op`), and exports its client, which implements the adapter's DiyalogChannel and
 * TransactionHashIssuer interfaces. Nothing here is presented as Diyalog's real API.
 *
 * What follows the document to the letter:
 *   - transaction hashes are issued only to callers with the server credentials, and
 *     startAnonymousOnlineHelp succeeds only for the transactionHash / deviceHash /
 *     customerId trio a hash was issued for (else result false + an error code and msg);
 *   - states are NO_CHAT (initial), STARTED (only when isBackground is false: "If you handle
 *     wait screen, this state will not return"), CHAT_INPROGRESS, CHAT_ENDED;
 *   - closeMessaging stops the process.
 * Sandbox policy (not in the document): a hash is good for one start, for 10 minutes.
 *
 * Sandbox frames on ws /__sandbox/diyalog/sdk (one connection per online help):
 *   client → sim  {op:'startAnonymousOnlineHelp', params} | {op:'sendMessage', ref, text} | {op:'closeMessaging'}
 *   sim → client  {op:'result', success, error?} | {op:'state', value, error?, agentName?}
 *                 | {op:'message', id, text, authorName, sentAt} | {op:'typing', on}
 *                 | {op:'sent', ref, id?, error?} | {op:'closed'}
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import type {
  DiyalogChannel,
  OnlineHelp,
  OnlineHelpEvents,
  OnlineHelpParams,
  OnlineHelpStartError,
  OnlineHelpStartResult,
  OnlineHelpState,
  TransactionHashIssuer,
} from '../relay/adapters/diyalog-channel';
import { HELP_TYPES } from '../relay/adapters/diyalog-channel';
import type { DiyalogCredentials } from '../relay/adapters/diyalog-transaction';
import { ScriptedAgent, type AgentHost } from './agent';
import type { ReceivedFrame, SimulatorHandle, SimulatorOptions } from './types';

export const SANDBOX_SDK_PATH = '/__sandbox/diyalog/sdk';
export const SANDBOX_HASH_PATH = '/__sandbox/diyalog/gettransactionhashforonlinehelp';

/** Sandbox error codes (Diyalog's real codes are not in its document). */
export const SIM_ERRORS = {
  trio: { code: 'TRANSACTION_INVALID', msg: 'Security check failed for this transactionHash, deviceHash and customer.' },
  params: { code: 'INVALID_PARAMETERS', msg: 'The online help parameters are invalid.' },
  unavailable: { code: 'NO_REPRESENTATIVE', msg: 'No representative is available at the moment.' },
  timeout: { code: 'WAIT_TIMEOUT', msg: 'No representative could answer in time.' },
} as const satisfies Record<string, OnlineHelpStartError>;

const HASH_TTL_MS = 10 * 60_000;

interface Issued {
  customerId: string;
  deviceHash: string;
  expires: number;
}

export type SandboxDiyalogChannel = DiyalogChannel & TransactionHashIssuer;

export interface DiyalogSimulatorOptions extends SimulatorOptions {
  credentials?: DiyalogCredentials;
}

export interface DiyalogSimulatorHandle extends SimulatorHandle {
  /** A client holding the simulator's server credentials: what the relay is given. */
  channel: SandboxDiyalogChannel;
  credentials: DiyalogCredentials;
}

function validParams(p: unknown): p is OnlineHelpParams {
  if (!p || typeof p !== 'object') return false;
  const o = p as Record<string, unknown>;
  const str = (k: string) => typeof o[k] === 'string';
  const int = (k: string) => Number.isSafeInteger(o[k]) && (o[k] as number) >= 0;
  const bool = (k: string) => typeof o[k] === 'boolean';
  return (
    str('customerId') && (o.customerId as string) !== '' && str('customerName') && int('idNumber') && int('customerPhone') &&
    str('email') && str('transactionHash') && str('deviceHash') && str('waitDisplayText') && bool('isLoggedIn') &&
    bool('isBackground') && (HELP_TYPES as readonly unknown[]).includes(o.helpType)
  );
}

export async function startDiyalogSimulator(opts: DiyalogSimulatorOptions = {}): Promise<DiyalogSimulatorHandle> {
  const credentials = opts.credentials ?? { id: 'sandbox', secret: randomBytes(16).toString('hex') };
  const expectedAuth = `Basic ${Buffer.from(`${credentials.id}:${credentials.secret}`).toString('base64')}`;
  const received: ReceivedFrame[] = [];
  const issued = new Map<string, Issued>();
  const record = (channel: string, name: string, payload: unknown) => received.push({ at: Date.now(), channel, name, payload });

  const server = createServer((req, res) => void issueHash(req, res));
  const wss = new WebSocketServer({ server, path: SANDBOX_SDK_PATH, maxPayload: 64 * 1024 });

  async function issueHash(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.method !== 'POST' || req.url !== SANDBOX_HASH_PATH) {
      req.resume();
      return reply(404, { error: 'not found' });
    }
    let text = '';
    for await (const chunk of req) {
      text += String(chunk);
      if (text.length > 4096) return reply(413, { error: 'too large' });
    }
    let body: Record<string, unknown> = {};
    try {
      body = JSON.parse(text) as Record<string, unknown>;
    } catch {
      /* answered below */
    }
    record('http', 'gettransactionhashforonlinehelp', body);
    if (req.headers.authorization !== expectedAuth) return reply(401, { error: 'invalid credentials' });
    const { customerId, deviceHash } = body;
    if (typeof customerId !== 'string' || !customerId || typeof deviceHash !== 'string' || !deviceHash) {
      return reply(400, { error: 'customerId and deviceHash are required' });
    }
    // Same form as the document's sample: 40 hex digits.
    const transactionHash = randomBytes(20).toString('hex');
    issued.set(transactionHash, { customerId, deviceHash, expires: Date.now() + HASH_TTL_MS });
    reply(200, { transactionHash });
  }

  wss.on('connection', (ws) => {
    let state: OnlineHelpState = 'NO_CHAT';
    let agent: ScriptedAgent | null = null;
    let nextId = 1;
    const send = (frame: Record<string, unknown>) => {
      if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(frame));
    };
    const setState = (value: OnlineHelpState, extra: Record<string, unknown> = {}) => {
      state = value;
      send({ op: 'state', value, ...extra });
    };
    const endWith = (error?: OnlineHelpStartError) => {
      if (state === 'CHAT_ENDED' || state === 'NO_CHAT') return;
      agent?.stop();
      setState('CHAT_ENDED', error ? { error } : {});
    };
    let representative = 'Representative';
    const host: AgentHost = {
      queue: () => undefined, // Diyalog reports no queue positions.
      waiting: (kind) => {
        if (kind === 'final') endWith(SIM_ERRORS.timeout);
      },
      join: (identity) => {
        representative = identity.name;
        if (state !== 'NO_CHAT' && state !== 'CHAT_ENDED') setState('CHAT_INPROGRESS', { agentName: identity.name });
      },
      typing: (on) => send({ op: 'typing', on }),
      // Lines carry the name the representative joined with, as the header shows it.
      say: (text) => send({ op: 'message', id: `a${nextId++}`, text, authorName: representative, sentAt: Date.now() }),
      end: (by) => endWith(by === 'timeout' ? SIM_ERRORS.timeout : undefined),
    };

    ws.on('message', (data) => {
      let frame: Record<string, unknown>;
      try {
        frame = JSON.parse(String(data)) as Record<string, unknown>;
      } catch {
        return;
      }
      const op = typeof frame.op === 'string' ? frame.op : '';
      record('ws', op, op === 'startAnonymousOnlineHelp' ? frame.params : frame);
      if (op === 'startAnonymousOnlineHelp') {
        const fail = (error: OnlineHelpStartError) => send({ op: 'result', success: false, error });
        if (agent) return fail(SIM_ERRORS.params);
        const p = frame.params;
        if (!validParams(p)) return fail(SIM_ERRORS.params);
        const grant = issued.get(p.transactionHash);
        if (!grant || grant.expires < Date.now() || grant.customerId !== p.customerId || grant.deviceHash !== p.deviceHash) {
          return fail(SIM_ERRORS.trio);
        }
        issued.delete(p.transactionHash);
        agent = new ScriptedAgent(host, opts.agent);
        if (!agent.isAvailable()) {
          agent = null;
          return fail(SIM_ERRORS.unavailable);
        }
        send({ op: 'result', success: true });
        if (!p.isBackground) setState('STARTED');
        else state = 'STARTED'; // started, silently: the app shows its own wait screen
        agent.start(p.customerName);
      } else if (op === 'sendMessage') {
        const ref = frame.ref;
        if (state !== 'CHAT_INPROGRESS' || typeof frame.text !== 'string') return send({ op: 'sent', ref, error: 'NOT_IN_CHAT' });
        send({ op: 'sent', ref, id: `c${nextId++}` });
        agent?.hear(frame.text);
      } else if (op === 'closeMessaging') {
        agent?.visitorLeft();
        send({ op: 'closed' });
        if (state !== 'NO_CHAT') setState('NO_CHAT');
      }
    });
    ws.on('close', () => agent?.visitorLeft());
  });

  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', resolve));
  const base = `http://${opts.host ?? '127.0.0.1'}:${(server.address() as AddressInfo).port}`;
  return {
    vendor: 'diyalog',
    url: `${base.replace(/^http/, 'ws')}${SANDBOX_SDK_PATH}`,
    options: {},
    received,
    credentials,
    channel: connectSandboxDiyalog(base, credentials),
    async close() {
      for (const c of wss.clients) c.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The simulator's client: a channel to the sandbox at `base` (http://host:port). */
export function connectSandboxDiyalog(base: string, credentials: DiyalogCredentials, timeoutMs = 10_000): SandboxDiyalogChannel {
  return {
    async getTransactionHashForOnlineHelp(request) {
      const res = await fetch(`${base}${SANDBOX_HASH_PATH}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Basic ${Buffer.from(`${credentials.id}:${credentials.secret}`).toString('base64')}`,
        },
        body: JSON.stringify(request),
        signal: AbortSignal.timeout(timeoutMs),
      });
      const body = (await res.json().catch(() => ({}))) as { transactionHash?: unknown };
      if (!res.ok || typeof body.transactionHash !== 'string') throw new Error(`gettransactionhashforonlinehelp: HTTP ${res.status}`);
      return body.transactionHash;
    },
    startAnonymousOnlineHelp: (params, events) => startHelp(`${base.replace(/^http/, 'ws')}${SANDBOX_SDK_PATH}`, params, events, timeoutMs),
  };
}

function startHelp(url: string, params: OnlineHelpParams, events: OnlineHelpEvents, timeoutMs: number): Promise<OnlineHelpStartResult> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    const sent = new Map<number, { ok: (v: { id: string }) => void; fail: (e: Error) => void }>();
    let closedAck: (() => void) | null = null;
    let settled = false;
    let disposed = false;
    let ref = 0;
    const timer = setTimeout(() => {
      if (settled) return;
      settled = true;
      ws.terminate();
      reject(new Error('startAnonymousOnlineHelp timed out'));
    }, timeoutMs);

    const help: OnlineHelp = {
      sendMessage(text) {
        return new Promise((ok, fail) => {
          if (ws.readyState !== WebSocket.OPEN) return fail(new Error('channel closed'));
          sent.set(++ref, { ok, fail });
          ws.send(JSON.stringify({ op: 'sendMessage', ref, text }));
        });
      },
      closeMessaging() {
        return new Promise<void>((done) => {
          if (ws.readyState !== WebSocket.OPEN) return done();
          const t = setTimeout(done, timeoutMs);
          closedAck = () => {
            clearTimeout(t);
            done();
          };
          ws.send(JSON.stringify({ op: 'closeMessaging' }));
        });
      },
      dispose() {
        disposed = true;
        ws.close();
      },
    };

    ws.on('open', () => ws.send(JSON.stringify({ op: 'startAnonymousOnlineHelp', params })));
    ws.on('error', (err) => {
      if (!settled) {
        settled = true;
        clearTimeout(timer);
        reject(err);
      }
    });
    ws.on('close', () => {
      for (const p of sent.values()) p.fail(new Error('channel closed'));
      sent.clear();
      closedAck?.();
      if (settled && !disposed) events.lost('sandbox connection closed');
    });
    ws.on('message', (data) => {
      let f: Record<string, unknown>;
      try {
        f = JSON.parse(String(data)) as Record<string, unknown>;
      } catch {
        return;
      }
      if (f.op === 'result' && !settled) {
        settled = true;
        clearTimeout(timer);
        if (f.success === true) resolve({ success: true, help });
        else {
          const e = (f.error ?? {}) as Record<string, unknown>;
          resolve({ success: false, error: { code: String(e.code ?? ''), msg: String(e.msg ?? '') } });
          disposed = true;
          ws.close();
        }
      } else if (disposed || !settled) {
        return;
      } else if (f.op === 'state') {
        const error = f.error as OnlineHelpStartError | undefined;
        events.state(f.value as string, {
          ...(error ? { error } : {}),
          ...(typeof f.agentName === 'string' ? { agentName: f.agentName } : {}),
        });
      } else if (f.op === 'message') {
        events.message({
          id: f.id as string,
          text: f.text as string,
          authorName: f.authorName as string | undefined,
          sentAt: f.sentAt as number | undefined,
        });
      } else if (f.op === 'typing') {
        events.typing?.(f.on === true);
      } else if (f.op === 'sent') {
        const p = sent.get(f.ref as number);
        sent.delete(f.ref as number);
        if (typeof f.id === 'string') p?.ok({ id: f.id });
        else p?.fail(new Error(String(f.error ?? 'not sent')));
      } else if (f.op === 'closed') {
        closedAck?.();
        closedAck = null;
      }
    });
  });
}
