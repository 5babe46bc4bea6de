/**
 * Diyalog simulator: Diyalog's documented REST API, a customer's queuing service, and a
 * sandbox-only stand-in for the SDK wire.
 *
 * Documented, and played to the letter (D1, D2, finishonlinehelp, D4; fixtures in
 * test/fixtures/diyalog/):
 *   POST /v1/application/gettransactionhashforonlinehelp  {customerId, deviceHash}
 *   POST /v1/application/finishonlinehelp                 {customerId, staffId}
 *     Every call is checked as D2 says: the three x-dlg-* headers (else 400 "Required headers
 *     not found"), "DLGA <AccessKeyId>:<signature>" (else 400 "…data format not valid"), the
 *     date format "EEE, dd MMM yyyy HH:mm:ss Z" (else 400 "…date not valid"), the HMAC-SHA256
 *     over method, content type, date, the exact body and the path (else 401 "Authorization
 *     failed"), and ±15 minutes of skew (else 403 "Request time may not be correct."). The
 *     answers are 200 {isSuccess, message, transactionHash} / {isSuccess, message, errorCode?}.
 *   The queuing service a Diyalog customer provides (D4), at {queueUrl}:
 *     POST {queueUrl}/CreateInteraction {identityNumber, customerId, attachedData}
 *       → {success, errorMessage, result:{interactionId}};   DELETE {queueUrl}/{interactionId}
 *     A representative opens only an interaction that is queued: a help started without one
 *     waits for ever (a violation of D3's order), and a deleted one is never picked up.
 *   The SDK's start error codes are D3's (DLGEXCP_…, DLGEXCPINP_…); the trio check
 *   (transactionHash, deviceHash, customerId) refuses with DLGEXCP_AUTH_REQUEST.
 *
 * NOT documented anywhere public: the wire between the SDK and Diyalog's server. For it this
 * simulator speaks a SANDBOX-ONLY protocol (ws /__sandbox/diyalog/sdk, JSON frames with an
 * `op`) and exports its client as the relay's DiyalogChannel. Sandbox policy: a hash is good
 * for one start, for 10 minutes.
 *
 * Sandbox frames on ws /__sandbox/diyalog/sdk (one connection per online help):
 *   client → sim  {op:'startAnonymousOnlineHelp', params} | {op:'sendMessage', ref, text} | {op:'closeMessaging'}
 *   sim → client  {op:'result', success, error?} | {op:'state', value, error?, agentName?, staffId?}
 *                 | {op:'message', id, text, authorName, sentAt} | {op:'typing', on}
 *                 | {op:'sent', ref, id?, error?} | {op:'closed'}
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import type {
  DiyalogChannel,
  OnlineHelpParams,
  OnlineHelpStartError,
  OnlineHelpState,
} from '../relay/adapters/diyalog-channel';
import { HELP_TYPES } from '../relay/adapters/diyalog-channel';
import { ScriptedAgent, type AgentHost } from './agent';
import type { ReceivedFrame, SimulatorHandle, SimulatorOptions } from './types';
import { readBody } from './read-body';
import { authenticate, type DiyalogApiKeys } from './diyalog-auth';
import { connectSandboxDiyalog, SANDBOX_SDK_PATH } from './diyalog-sdk-client';

export { AUTH_ERRORS, parseDlgDate, type DiyalogApiKeys } from './diyalog-auth';
export { connectSandboxDiyalog, SANDBOX_SDK_PATH } from './diyalog-sdk-client';

export const SANDBOX_QUEUE_PATH = '/__sandbox/queue';
export const TRANSACTION_HASH_RESOURCE = '/v1/application/gettransactionhashforonlinehelp';
export const FINISH_RESOURCE = '/v1/application/finishonlinehelp';

/** D3's codes, with the sandbox's wording of each (the page gives names, not messages). */
export const SIM_ERRORS = {
  trio: { code: 'DLGEXCP_AUTH_REQUEST', msg: 'Security check failed for this transactionHash, deviceHash and customer.' },
  customerId: { code: 'DLGEXCPINP_CUSTOMER_ID', msg: 'The customer id must be passed.' },
  hash: { code: 'DLGEXCPINP_TRXHASH_IS_EMPTY', msg: 'The transaction hash is empty.' },
  helpType: { code: 'DLGEXCPINP_INVALID_HELP_TYPE', msg: 'Invalid help type.' },
  name: { code: 'DLGEXCPINP_CUSTOMER_NAME_IS_EMPTY', msg: 'The customer name is empty.' },
  inCall: { code: 'DLGEXCP_USER_IS_IN_CALL_NOW', msg: 'The customer is in an online help now.' },
  general: { code: 'DLGEXCP_GENERAL_EXCEPTION', msg: 'The start request could not be read.' },
} as const satisfies Record<string, OnlineHelpStartError>;

const HASH_TTL_MS = 10 * 60_000;
const MAX_BODY = 16 * 1024;

interface Issued {
  customerId: string;
  deviceHash: string;
  expires: number;
}

interface Interaction {
  id: string;
  customerId: string;
  state: 'queued' | 'bound' | 'taken' | 'deleted';
  /** Stops the representative walking to a bound interaction. */
  withdraw?: () => void;
}

/** A conversation a representative holds: finishonlinehelp's peers. */
interface Conversation {
  customerId: string;
  staffId: string;
  end(): void;
}

export interface DiyalogSimulatorOptions extends SimulatorOptions {
  keys?: DiyalogApiKeys;
  /** Diyalog's clock (for the skew check). */
  now?: () => number;
}

export interface DiyalogSimulatorHandle extends SimulatorHandle {
  /** The SDK stand-in the relay is given. */
  channel: DiyalogChannel;
  /** DIYALOG_API_BASE for this simulator (loopback http). */
  apiBase: string;
  /** DIYALOG_QUEUE_URL for the queuing service hosted here. */
  queueUrl: string;
  keys: DiyalogApiKeys;
  /** Every request that broke Diyalog's documented rules (tests assert none where none is meant). */
  violations: string[];
  /** Fault hook: cut every SDK connection (the relay's channel is lost). */
  dropHelps(): number;
}

function validParams(p: unknown): p is OnlineHelpParams {
  if (!p || typeof p !== 'object') return false;
  const o = p as Record<string, unknown>;
  const str = (k: string) => typeof o[k] === 'string';
  const int = (k: string) => Number.isSafeInteger(o[k]) && (o[k] as number) >= 0;
  const bool = (k: string) => typeof o[k] === 'boolean';
  return (
    str('customerId') && str('customerName') && int('idNumber') && int('customerPhone') && str('email') &&
    str('transactionHash') && str('deviceHash') && str('waitDisplayText') && bool('isLoggedIn') && bool('isBackground') &&
    typeof o.helpType === 'string'
  );
}

export async function startDiyalogSimulator(opts: DiyalogSimulatorOptions = {}): Promise<DiyalogSimulatorHandle> {
  const keys = opts.keys ?? { accessKeyId: 'sandbox-key', accessKeySecret: randomBytes(24).toString('base64') };
  const now = opts.now ?? Date.now;
  const received: ReceivedFrame[] = [];
  const violations: string[] = [];
  const issued = new Map<string, Issued>();
  const interactions = new Map<string, Interaction>();
  let interactionCount = 0;
  const conversations = new Set<Conversation>();
  const record = (channel: string, name: string, payload: unknown) => received.push({ at: Date.now(), channel, name, payload });

  const server = createServer((req, res) => {
    void route(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end('Internal error');
    });
  });
  const wss = new WebSocketServer({ server, path: SANDBOX_SDK_PATH, maxPayload: 64 * 1024 });

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '').split('?')[0]!;
    const text = (status: number, message: string) => {
      res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(message);
    };
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (path.startsWith(`${SANDBOX_QUEUE_PATH}/`)) return queueService(req, path.slice(SANDBOX_QUEUE_PATH.length + 1), json);
    if (req.method !== 'POST' || (path !== TRANSACTION_HASH_RESOURCE && path !== FINISH_RESOURCE)) {
      req.resume();
      return text(404, 'Not found');
    }
    const raw = await readBody(req, MAX_BODY);
    if (raw === null) return text(413, 'Request body too large');
    const refused = authenticate(req, raw, keys, now);
    if (refused) {
      record('http', `${path.split('/').at(-1)} refused`, { status: refused[0], message: refused[1] });
      return text(refused[0], refused[1]);
    }
    let body: Record<string, unknown> = {};
    try {
      const parsed: unknown = JSON.parse(raw);
      if (parsed && typeof parsed === 'object') body = parsed as Record<string, unknown>;
    } catch {
      return text(500, 'Request body is not JSON');
    }
    if (path === TRANSACTION_HASH_RESOURCE) {
      record('http', 'gettransactionhashforonlinehelp', body);
      const { customerId, deviceHash } = body;
      if (typeof customerId !== 'string' || !customerId || typeof deviceHash !== 'string' || !deviceHash) {
        return json(200, { isSuccess: false, message: 'customerId and deviceHash are required', transactionHash: null });
      }
      // Same form as D1's sample answer: 40 hex digits.
      const transactionHash = randomBytes(20).toString('hex');
      issued.set(transactionHash, { customerId, deviceHash, expires: now() + HASH_TTL_MS });
      return json(200, { isSuccess: true, message: 'TransactionHash created', transactionHash });
    }
    record('http', 'finishonlinehelp', body);
    const held = [...conversations].find((c) => c.customerId === body.customerId && c.staffId === body.staffId);
    if (!held) return json(200, { isSuccess: false, message: 'No conversation found between peers.', errorCode: 400 });
    held.end();
    return json(200, { isSuccess: true, message: 'Conversation will be stop with peers.' });
  }

  /** The customer's queuing service (D4). */
  async function queueService(req: IncomingMessage, rest: string, json: (status: number, body: unknown) => void): Promise<void> {
    if (req.method === 'POST' && rest === 'CreateInteraction') {
      const raw = await readBody(req, MAX_BODY);
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(raw ?? '') as Record<string, unknown>;
      } catch {
        /* refused below */
      }
      record('http', 'CreateInteraction', body);
      const data = body.attachedData;
      const dataOk = !!data && typeof data === 'object' && !Array.isArray(data) && Object.values(data).every((v) => typeof v === 'string');
      if (typeof body.identityNumber !== 'string' || typeof body.customerId !== 'string' || !body.customerId || !dataOk) {
        violations.push(`CreateInteraction without D4's fields: ${JSON.stringify(body).slice(0, 200)}`);
        return json(400, { success: false, errorMessage: 'identityNumber, customerId and attachedData are required', result: null });
      }
      const id = String(1_000_000_000_000 + ++interactionCount);
      interactions.set(id, { id, customerId: body.customerId, state: 'queued' });
      // A bound on the sandbox's memory: the oldest interactions go first.
      if (interactions.size > 10_000) interactions.delete(interactions.keys().next().value!);
      return json(200, { success: true, errorMessage: null, result: { interactionId: id } });
    }
    if (req.method === 'DELETE' && /^[\w.:-]{1,128}$/.test(rest)) {
      req.resume();
      record('http', 'DeleteInteraction', { interactionId: rest });
      const it = interactions.get(rest);
      if (!it || it.state === 'deleted') return json(404, { success: false, errorMessage: 'No such interaction' });
      // D4: "if the created interaction has not been forwarded to the agent, it will be deleted".
      if (it.state === 'taken') return json(409, { success: false, errorMessage: 'The interaction was already taken by an agent' });
      it.withdraw?.();
      it.state = 'deleted';
      return json(200, { success: true, errorMessage: null });
    }
    req.resume();
    json(404, { success: false, errorMessage: 'Not found' });
  }

  wss.on('connection', (ws) => {
    let state: OnlineHelpState = 'NO_CHAT';
    let agent: ScriptedAgent | null = null;
    let interaction: Interaction | null = null;
    let conversation: Conversation | null = null;
    let nextId = 1;
    const send = (frame: Record<string, unknown>) => {
      opts.agent?.desk?.sent('sdk', String(frame.op), frame, interaction?.id);
      if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(frame));
    };
    const setState = (value: OnlineHelpState, extra: Record<string, unknown> = {}) => {
      state = value;
      send({ op: 'state', value, ...extra });
    };
    const endWith = (error?: OnlineHelpStartError) => {
      if (state === 'CHAT_ENDED' || state === 'NO_CHAT') return;
      agent?.stop();
      if (conversation) conversations.delete(conversation);
      setState('CHAT_ENDED', error ? { error } : {});
    };
    let representative = 'Representative';
    const staffId = '45186'; // D2's and finishonlinehelp's sample agent user id.
    const host: AgentHost = {
      queue: () => undefined, // Diyalog reports no queue positions.
      waiting: (kind) => {
        if (kind === 'final') endWith();
      },
      join: (identity) => {
        representative = identity.name;
        if (state === 'NO_CHAT' || state === 'CHAT_ENDED') return;
        if (interaction?.state === 'bound') interaction.state = 'taken';
        if (state !== 'CHAT_INPROGRESS') {
          conversation = { customerId: startedFor, staffId, end: () => agent?.finish('agent') };
          conversations.add(conversation);
        }
        setState('CHAT_INPROGRESS', { agentName: identity.name, staffId });
      },
      typing: (on) => send({ op: 'typing', on }),
      // Lines carry the name the representative joined with, as the header shows it.
      say: (text) => send({ op: 'message', id: `a${nextId++}`, text, authorName: representative, sentAt: Date.now() }),
      end: () => endWith(),
    };
    let startedFor = '';

    ws.on('message', (data) => {
      let frame: Record<string, unknown>;
      try {
        frame = JSON.parse(String(data)) as Record<string, unknown>;
      } catch {
        return;
      }
      const op = typeof frame.op === 'string' ? frame.op : '';
      record('ws', op, op === 'startAnonymousOnlineHelp' ? frame.params : frame);
      // The interaction this socket serves names its chat (the agent console's inspector).
      const last = received.at(-1);
      if (interaction && last) last.chat = interaction.id;
      if (op === 'startAnonymousOnlineHelp') {
        const fail = (error: OnlineHelpStartError) => send({ op: 'result', success: false, error });
        if (agent || state !== 'NO_CHAT') return fail(SIM_ERRORS.inCall);
        const p = frame.params;
        if (!validParams(p)) return fail(SIM_ERRORS.general);
        if (!p.customerId) return fail(SIM_ERRORS.customerId);
        if (!p.transactionHash) return fail(SIM_ERRORS.hash);
        if (!(HELP_TYPES as readonly string[]).includes(p.helpType)) return fail(SIM_ERRORS.helpType);
        if (!p.customerName.trim()) return fail(SIM_ERRORS.name);
        const grant = issued.get(p.transactionHash);
        if (!grant || grant.expires < now() || grant.customerId !== p.customerId || grant.deviceHash !== p.deviceHash) {
          return fail(SIM_ERRORS.trio);
        }
        issued.delete(p.transactionHash);
        startedFor = p.customerId;
        send({ op: 'result', success: true });
        if (!p.isBackground) setState('STARTED');
        else state = 'STARTED'; // started, silently: the app shows its own wait screen
        // A representative opens the customer from the queue: only a queued interaction.
        interaction = [...interactions.values()].find((i) => i.customerId === p.customerId && i.state === 'queued') ?? null;
        if (!interaction) {
          violations.push(`startAnonymousOnlineHelp for customer ${p.customerId} with no queued interaction (D3: create it first)`);
          return;
        }
        const walker = new ScriptedAgent(host, opts.agent && { ...opts.agent, chat: interaction.id });
        agent = walker;
        interaction.state = 'bound';
        interaction.withdraw = () => walker.visitorLeft();
        // available() false: nobody at the desk takes anything from the queue.
        if (walker.isAvailable()) walker.start(p.customerName);
      } else if (op === 'sendMessage') {
        const ref = frame.ref;
        if (state !== 'CHAT_INPROGRESS' || typeof frame.text !== 'string') return send({ op: 'sent', ref, error: 'NOT_IN_CHAT' });
        send({ op: 'sent', ref, id: `c${nextId++}` });
        agent?.hear(frame.text);
      } else if (op === 'closeMessaging') {
        agent?.visitorLeft();
        if (conversation) conversations.delete(conversation);
        send({ op: 'closed' });
        if (state !== 'NO_CHAT') setState('NO_CHAT');
      }
    });
    ws.on('close', () => {
      // The SDK side is gone; a conversation stays held by the representative until
      // finishonlinehelp (its documented use), the agent side ending it, or closeMessaging.
      if (!conversation || !conversations.has(conversation)) agent?.visitorLeft();
    });
  });

  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', resolve));
  const base = `http://${opts.host ?? '127.0.0.1'}:${(server.address() as AddressInfo).port}`;
  return {
    vendor: 'diyalog',
    url: `${base.replace(/^http/, 'ws')}${SANDBOX_SDK_PATH}`,
    options: {},
    received,
    violations,
    keys,
    apiBase: base,
    queueUrl: `${base}${SANDBOX_QUEUE_PATH}`,
    channel: connectSandboxDiyalog(base),
    dropHelps() {
      let n = 0;
      for (const c of wss.clients) {
        c.terminate();
        n++;
      }
      return n;
    },
    async close() {
      for (const c of conversations) c.end();
      for (const c of wss.clients) c.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

