/**
 * Omnidesk's chat API on loopback, after its API specification where it is stricter than our
 * guide (O1, O2, O3 in shared/notes/vendors-in-the-field.md; vendor-docs/omnidesk-chat-api.txt):
 * the REST calls a backend makes (every call recorded in `received`) and a scripted agent that
 * answers exactly as Omnidesk would, by POSTing to `{{ chatServer }}/<hookpoint>`.
 *
 * Strict where the specification is: every `/api/v2/` body must be multipart/form-data (O1),
 * the `apiKey` header is required when the simulator has a key (O1/O2: `apikeyAuth`),
 * `chatServer` and `chatAccountToken` must match their patterns (O1), the required fields of
 * O3 must be there, and success is `{"type":"result","message":"Message sent.","ticketID":…}`
 * (O3). `chatSessionID` has no documented pattern; as the strictest reasonable server this one
 * takes `[A-Za-z0-9-]` only. `notifyUserEndChat` lives under `/chat/` (O1; `endChatAt` moves it
 * to the guide's `/message/`). A repeated `messageNumber` is a new message: O3 only recommends
 * the field and nowhere promises to drop duplicates. Every request that breaks these rules is
 * refused and listed in `violations` (tests assert there are none).
 *
 * The document names hookpoint fields but not their encoding, so the simulator uses all
 * three a receiver must handle: messageForCustomer as a urlencoded form, typing and
 * endSession as JSON (with the document's own spelling: `Typing`, `SessionID`), and
 * uploadForCustomer as multipart. Omnidesk has no queue or wait-screen hookpoints, so the
 * agent's queue and waiting lines are not sent.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readHookpointBody, BodyError } from '../relay/http-body';
import { omnideskAdapter, type OmnideskConfig } from '../relay/adapters/omnidesk';
import { ScriptedAgent, type AgentHost, type ScriptedAgentIdentity, type ScriptedAgentOptions } from './agent';
import type { ReceivedFrame, SimulatorHandle, SimulatorOptions } from './types';

/** O1: `^[a-zA-Z0-9]+$`. */
export const DEFAULT_CHAT_ACCOUNT_TOKEN = 'sandboxOmnideskChatAccountToken';
const CHAT_SERVER = /^[a-zA-Z0-9.:/-]+$/;
const ACCOUNT_TOKEN = /^[a-zA-Z0-9]+$/;
const SESSION_ID = /^[A-Za-z0-9-]+$/;
const NO_AGENTS = 'hide_reason_no_agents_available';
const CHAT_EVENTS = new Set(['startedtyping', 'stoppedtyping', 'expandedchat', 'minimizedchat']);
const AVATAR_PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);

export interface OmnideskSimulatorHandle extends SimulatorHandle {
  /** chatSessionIDs of the conversations the simulator knows, oldest first. */
  conversations(): string[];
  /** Make the agent of a conversation say `text` now (through messageForCustomer). */
  agentSay(chatSessionID: string, text: string): Promise<void>;
  /** The agent presses stop (endSession). */
  agentEnd(chatSessionID: string): Promise<void>;
  /** The `chatServer` a conversation's hookpoints go to (the latest one Omnidesk was given). */
  chatServerOf(chatSessionID: string): string | undefined;
  /** Requests that broke the specification (each also refused), oldest first. */
  violations: string[];
  /** chatSessionIDs Omnidesk was told ended (notifyUserEndChat). */
  ended: Set<string>;
  /** While on, every `/api/v2/` call answers 503 (an outage on Omnidesk's side). */
  setOutage(on: boolean): void;
}

export interface OmnideskSimulatorOptions extends SimulatorOptions {
  chatAccountToken?: string;
  /** When set, every `/api/v2/` call must carry it as the `apiKey` header. */
  apiKey?: string;
  /** Which path notifyUserEndChat answers at: the specification's `chat` (default) or the guide's `message`. */
  endChatAt?: 'chat' | 'message';
  /** false: the guide's GET requestChatConfig answers 404 (only the specification's POST). */
  configGet?: boolean;
}

interface Conversation {
  /** Its chatSessionID (the agent console's inspector tags its frames with it). */
  key: string;
  chatServer: string;
  agent: ScriptedAgent;
  identity: ScriptedAgentIdentity;
  /** Hookpoint calls of one conversation go out one after another, as a person types them. */
  outbox: Promise<void>;
}

export async function startOmnideskSimulator(opts: OmnideskSimulatorOptions = {}): Promise<OmnideskSimulatorHandle> {
  const chatAccountToken = opts.chatAccountToken ?? DEFAULT_CHAT_ACCOUNT_TOKEN;
  const { apiKey, endChatAt = 'chat', configGet = true } = opts;
  const agentOptions: ScriptedAgentOptions = opts.agent ?? {};
  const received: ReceivedFrame[] = [];
  const violations: string[] = [];
  const ended = new Set<string>();
  const conversations = new Map<string, Conversation>();
  let base = '';
  let tickets = 0;
  let outage = false;

  function post(conv: Conversation, route: string, body: () => { body: BodyInit; type?: string }): Promise<void> {
    conv.outbox = conv.outbox.then(async () => {
      for (let attempt = 0; attempt < 3; attempt++) {
        try {
          const b = body();
          if (attempt === 0) agentOptions.desk?.sent('hookpoint', `POST ${route}`, b.body instanceof FormData ? [...b.body.keys()] : b.body, conv.key);
          const res = await fetch(`${conv.chatServer}/${route}`, {
            method: 'POST',
            headers: b.type ? { 'content-type': b.type } : {},
            body: b.body,
          });
          await res.arrayBuffer();
          if (res.status < 500) return;
        } catch {
          // the relay may be restarting: try again shortly
        }
        await new Promise((r) => setTimeout(r, 100 * (attempt + 1)));
      }
    });
    return conv.outbox;
  }

  function hostFor(id: string, conv: () => Conversation): AgentHost {
    return {
      queue: () => undefined,
      waiting: () => undefined,
      join: (identity) => {
        conv().identity = identity;
      },
      typing: (on) =>
        void post(conv(), 'typingIndicatorForCustomer', () => ({
          body: JSON.stringify({ Typing: on, SessionID: id }),
          type: 'application/json',
        })),
      say: (text) => void say(id, text),
      sendAttachment: (file) =>
        void post(conv(), 'uploadForCustomer', () => {
          const form = new FormData();
          form.set('file', new Blob([file.bytes.slice()], { type: file.mime }), file.name);
          form.set('sessionID', id);
          return { body: form };
        }),
      end: () => void end(id),
    };
  }

  function say(id: string, text: string): Promise<void> {
    const conv = conversations.get(id);
    if (!conv) return Promise.resolve();
    // The line goes out later (posts are queued): it carries the identity of when it was said.
    const { avatar, name } = conv.identity;
    return post(conv, 'messageForCustomer', () => ({
      body: new URLSearchParams({
        picture: avatar ?? `${base}/avatar.png`,
        name,
        message: text,
        sessionID: id,
      }).toString(),
      type: 'application/x-www-form-urlencoded',
    }));
  }

  function end(id: string): Promise<void> {
    const conv = conversations.get(id);
    if (!conv) return Promise.resolve();
    return post(conv, 'endSession', () => ({ body: JSON.stringify({ sessionID: id }), type: 'application/json' }));
  }

  /** A documented answer: `{"type":"result",…}` on success (O3), `{"type":"error",…}` otherwise. */
  function reply(res: ServerResponse, status: number, body: unknown): void {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  }
  const refuse = (res: ServerResponse, status: number, message: string) => reply(res, status, { type: 'error', message });
  const result = (res: ServerResponse, extra: Record<string, unknown> = {}) =>
    reply(res, 200, { type: 'result', message: 'Message sent.', ticketID: ++tickets, ...extra });

  /** A request that breaks the specification: recorded, and refused as Omnidesk would. */
  function violation(res: ServerResponse, status: number, name: string, what: string): void {
    violations.push(`${name}: ${what}`);
    // Also in the received log, which the sandbox serves to the e2e suite (channel 'violation').
    received.push({ at: Date.now(), channel: 'violation', name: 'violation', payload: `${name}: ${what}` });
    refuse(res, status, what);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://omnidesk');
    const name = `${req.method} ${url.pathname}`;
    if (name === 'GET /avatar.png') {
      res.writeHead(200, { 'content-type': 'image/png' });
      res.end(AVATAR_PNG);
      return;
    }
    const api = url.pathname.startsWith('/api/v2/');
    const type = (req.headers['content-type'] ?? '').toLowerCase();
    // O1: the Chat controller's bodies are multipart/form-data; anything else binds no field.
    if (api && req.method === 'POST' && !type.startsWith('multipart/form-data')) {
      req.resume();
      received.push({ at: Date.now(), channel: 'http', name, payload: { contentType: type } });
      return violation(res, 415, name, `body is ${type || 'untyped'}, not multipart/form-data`);
    }
    let body;
    try {
      body = await readHookpointBody(req, { maxBodyBytes: 1024 * 1024, maxUploadBytes: 20 * 1024 * 1024 });
    } catch (err) {
      return violation(res, err instanceof BodyError ? err.status : 400, name, `unreadable body (${String(err)})`);
    }
    const payload: Record<string, unknown> = { ...body.fields };
    // The specification's integer fields, typed as it types them.
    for (const k of ['messageNumber', 'channelID']) if (typeof payload[k] === 'string' && /^\d{1,9}$/.test(payload[k] as string)) payload[k] = Number(payload[k]);
    if (body.files[0]) payload.file = { name: body.files[0].name, mime: body.files[0].mime, size: body.files[0].bytes.length };
    const key = payload.chatSessionID ?? payload.sessionID;
    received.push({ at: Date.now(), channel: 'http', name, payload, ...(typeof key === 'string' ? { chat: key } : {}) });
    // Fields are read from the form only (api) or the query (the guide's GET).
    const get = (k: string): string | undefined => {
      const v = api ? body.fields[k] : url.searchParams.get(k);
      return typeof v === 'string' ? v : undefined;
    };
    const known = (id: string | undefined) => (id ? conversations.get(id) : undefined);
    if (api) {
      // O1/O2: every Chat and Message endpoint requires the key (apiKey header, or ?apiKey=).
      if (apiKey !== undefined && (req.headers.apikey ?? url.searchParams.get('apiKey')) !== apiKey)
        return violation(res, 401, name, 'missing or wrong apiKey');
      if (outage) return refuse(res, 503, 'Service temporarily unavailable');
    }
    /** The specification's required fields and patterns; the first break is the answer. */
    const check = (required: readonly string[]): string | null => {
      for (const k of required) if (!get(k)) return `${k} is required`;
      const chatServer = get('chatServer');
      if (chatServer !== undefined && (chatServer.length < 5 || !CHAT_SERVER.test(chatServer))) return `chatServer must match ${CHAT_SERVER}`;
      const token = get('chatAccountToken');
      if (token !== undefined && !ACCOUNT_TOKEN.test(token)) return `chatAccountToken must match ${ACCOUNT_TOKEN}`;
      if (token !== undefined && token !== chatAccountToken) return 'unknown chatAccountToken';
      for (const k of ['chatSessionID', 'sessionID']) {
        const id = get(k);
        if (id !== undefined && !SESSION_ID.test(id)) return `${k} must match ${SESSION_ID}`;
      }
      for (const k of ['messageNumber', 'channelID']) {
        const v = get(k);
        if (v !== undefined && !/^\d{1,9}$/.test(v)) return `${k} must be an integer`;
      }
      return null;
    };
    const fail = (required: readonly string[]) => {
      const problem = check(required);
      if (problem) violation(res, 400, name, problem);
      return problem !== null;
    };

    switch (name) {
      case 'GET /requestChatConfig':
        if (!configGet) return refuse(res, 404, 'Not found');
        if (fail(['chatAccountToken'])) return;
        return reply(res, 200, chatConfig());
      case 'POST /api/v2/chat/requestChatConfig':
        if (fail(['chatServer', 'chatAccountToken'])) return;
        return reply(res, 200, chatConfig());
      case 'POST /api/v2/chat/notifyUserNewChatMessage': {
        if (fail(['url', 'message', 'channelID', 'chatAccountToken', 'chatSessionID', 'chatServer'])) return;
        if (get('channelID') !== '8') return violation(res, 400, name, 'channelID must be 8 (live chat)');
        const id = get('chatSessionID')!;
        const message = get('message')!;
        const chatServer = get('chatServer')!.replace(/\/+$/, '');
        const conv = conversations.get(id);
        if (!conv) {
          const c: Conversation = {
            key: id,
            chatServer,
            identity: agentOptions.identity ?? { name: 'Alex Morgan', isBot: false },
            outbox: Promise.resolve(),
            agent: undefined as unknown as ScriptedAgent,
          };
          c.agent = new ScriptedAgent(hostFor(id, () => c), { ...agentOptions, queueFrom: 0, chat: id });
          conversations.set(id, c);
          c.agent.start('');
          return result(res);
        }
        // The latest chatServer is where the agent's side posts (O3: every message carries it).
        conv.chatServer = chatServer;
        // O3 only recommends messageNumber: a repeated number is a new message here, as nothing promises otherwise.
        conv.agent.hear(message);
        return result(res);
      }
      case 'POST /api/v2/chat/addAttachment': {
        if (fail(['chatServer', 'chatAccountToken'])) return;
        if (!body.files[0]) return violation(res, 400, name, 'file is required');
        if (!known(get('sessionID') ?? get('chatSessionID'))) return violation(res, 400, name, 'unknown sessionID');
        return result(res);
      }
      case 'POST /api/v2/chat/notifyUserNewChatEvent': {
        if (fail(['chatServer', 'chatSessionID', 'event'])) return;
        if (!CHAT_EVENTS.has(get('event')!)) return violation(res, 400, name, 'event must be startedtyping|stoppedtyping|expandedchat|minimizedchat');
        if (!known(get('chatSessionID'))) return violation(res, 400, name, 'unknown chatSessionID');
        return result(res);
      }
      case `POST /api/v2/${endChatAt}/notifyUserEndChat`: {
        if (fail(['chatSessionID', 'chatServer'])) return;
        const conv = known(get('chatSessionID'));
        if (!conv) return violation(res, 400, name, 'unknown chatSessionID');
        conv.agent.visitorLeft();
        ended.add(get('chatSessionID')!);
        return result(res);
      }
      case 'POST /api/v2/message/chatbot':
        if (fail(['from', 'subject', 'message'])) return;
        return result(res);
      default:
        return refuse(res, 404, 'Not found');
    }
  }

  function chatConfig(): Record<string, unknown> {
    const available = agentOptions.available ? agentOptions.available() : true;
    return {
      config: { hide_chat_when_no_agents_available: true, channelID: 8 },
      instructions: available ? [] : [{ type: NO_AGENTS, message: 'There are no agents available' }],
    };
  }

  const server = createServer((req, res) => {
    handle(req, res).catch(() => refuse(res, 500, 'Internal error'));
  });
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  base = `http://${opts.host ?? '127.0.0.1'}:${port}`;

  return {
    vendor: 'omnidesk',
    url: base,
    options: { apiBase: `${base}/api/v2`, configUrl: `${base}/requestChatConfig`, chatAccountToken, ...(apiKey ? { apiKey } : {}) },
    received,
    chatServerOf: (id) => conversations.get(id)?.chatServer,
    violations,
    ended,
    setOutage: (on) => void (outage = on),
    conversations: () => [...conversations.keys()],
    agentSay: (id, text) => say(id, text),
    agentEnd: (id) => {
      conversations.get(id)?.agent.visitorLeft();
      return end(id);
    },
    async close() {
      for (const c of conversations.values()) c.agent.stop();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * The Omnidesk simulator behind a relay, as the sandbox and e2e tests use it: the widget's
 * `data-relay` is `attributes.relay`. (`sandbox/main.ts` imports this via `./omnidesk-stack`.)
 */
/** The relay's Omnidesk adapter pointed at this simulator (its token and URLs), with any overrides. */
export function omnideskAdapterFor(
  sim: Pick<SimulatorHandle, 'options'>,
  overrides: Partial<OmnideskConfig> = {},
): ReturnType<typeof omnideskAdapter> {
  const { chatAccountToken, apiBase, configUrl, apiKey } = sim.options;
  if (!chatAccountToken || !apiBase || !configUrl) throw new Error('not an Omnidesk simulator: its options lack the token or URLs');
  return omnideskAdapter({ chatAccountToken, apiBase, configUrl, apiKey, ...overrides });
}
