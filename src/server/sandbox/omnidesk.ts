/**
 * Omnidesk's chat API on loopback, after vendor-docs/omnidesk-chat-api.txt: the REST calls a
 * backend makes (token-checked, every call recorded in `received`) and a scripted agent that
 * answers exactly as Omnidesk would, by POSTing to `{{ chatServer }}/<hookpoint>`.
 *
 * The document names hookpoint fields but not their encoding, so the simulator uses all
 * three a receiver must handle: messageForCustomer as a urlencoded form, typing and
 * endSession as JSON (with the document's own spelling: `Typing`, `SessionID`), and
 * uploadForCustomer as multipart. Omnidesk has no queue or wait-screen hookpoints, so the
 * agent's queue and waiting lines are not sent.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readHookpointBody, field, BodyError } from '../relay/http-body';
import { omnideskAdapter, type OmnideskConfig } from '../relay/adapters/omnidesk';
import { ScriptedAgent, type AgentHost, type ScriptedAgentIdentity, type ScriptedAgentOptions } from './agent';
import type { ReceivedFrame, SimulatorHandle, SimulatorOptions } from './types';

export const DEFAULT_CHAT_ACCOUNT_TOKEN = 'sandbox-omnidesk-chat-account-token';
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
}

interface Conversation {
  chatServer: string;
  agent: ScriptedAgent;
  identity: ScriptedAgentIdentity;
  numbers: Set<number>;
  /** Hookpoint calls of one conversation go out one after another, as a person types them. */
  outbox: Promise<void>;
}

export async function startOmnideskSimulator(
  opts: SimulatorOptions & { chatAccountToken?: string } = {},
): Promise<OmnideskSimulatorHandle> {
  const token = opts.chatAccountToken ?? DEFAULT_CHAT_ACCOUNT_TOKEN;
  const agentOptions: ScriptedAgentOptions = opts.agent ?? {};
  const received: ReceivedFrame[] = [];
  const conversations = new Map<string, Conversation>();
  let base = '';

  function post(conv: Conversation, route: string, body: () => { body: BodyInit; type?: string }): Promise<void> {
    conv.outbox = conv.outbox.then(async () => {
      for (let attempt = 0; attempt < 3; attempt++) {
        try {
          const b = body();
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

  function reply(res: ServerResponse, status: number, body: unknown): void {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://omnidesk');
    const name = `${req.method} ${url.pathname}`;
    if (name === 'GET /avatar.png') {
      res.writeHead(200, { 'content-type': 'image/png' });
      res.end(AVATAR_PNG);
      return;
    }
    let body;
    try {
      body = await readHookpointBody(req, { maxBodyBytes: 1024 * 1024, maxUploadBytes: 20 * 1024 * 1024 });
    } catch (err) {
      return reply(res, err instanceof BodyError ? err.status : 400, { success: false });
    }
    const payload: Record<string, unknown> = { ...body.fields };
    if (body.files[0]) payload.file = { name: body.files[0].name, mime: body.files[0].mime, size: body.files[0].bytes.length };
    received.push({ at: Date.now(), channel: 'http', name, payload });
    const get = (k: string) => field(body, k);
    const known = (k: string) => {
      const id = get(k);
      return typeof id === 'string' ? conversations.get(id) : undefined;
    };
    const tokenOk = get('chatAccountToken') === token;

    switch (name) {
      case 'GET /requestChatConfig': {
        if (!tokenOk) return reply(res, 401, { success: false, error: 'invalid chatAccountToken' });
        const available = agentOptions.available ? agentOptions.available() : true;
        return reply(res, 200, {
          success: true,
          config: { hide_chat_when_no_agents_available: true, channelID: 8 },
          instructions: available ? [] : [{ type: NO_AGENTS, message: 'There are no agents available' }],
        });
      }
      case 'POST /api/v2/chat/notifyUserNewChatMessage': {
        if (!tokenOk) return reply(res, 401, { success: false, error: 'invalid chatAccountToken' });
        const id = get('chatSessionID');
        const message = get('message');
        const chatServer = get('chatServer');
        if (typeof id !== 'string' || !id || typeof message !== 'string' || typeof chatServer !== 'string' || !/^https?:\/\//.test(chatServer))
          return reply(res, 400, { success: false, error: 'chatSessionID, message and chatServer are required' });
        if (String(get('channelID')) !== '8') return reply(res, 400, { success: false, error: 'channelID must be 8' });
        let conv = conversations.get(id);
        const n = Number(get('messageNumber'));
        if (!conv) {
          const c: Conversation = {
            chatServer: chatServer.replace(/\/+$/, ''),
            identity: agentOptions.identity ?? { name: 'Alex Morgan', isBot: false },
            numbers: new Set(),
            outbox: Promise.resolve(),
            agent: undefined as unknown as ScriptedAgent,
          };
          c.agent = new ScriptedAgent(hostFor(id, () => c), { ...agentOptions, queueFrom: 0 });
          conversations.set(id, c);
          conv = c;
          if (Number.isFinite(n)) conv.numbers.add(n);
          conv.agent.start('');
          return reply(res, 200, { success: true, created: true });
        }
        // messageNumber makes a retried call idempotent.
        if (Number.isFinite(n) && conv.numbers.has(n)) return reply(res, 200, { success: true, duplicate: true });
        if (Number.isFinite(n)) conv.numbers.add(n);
        conv.agent.hear(message);
        return reply(res, 200, { success: true });
      }
      case 'POST /api/v2/chat/addAttachment': {
        if (!tokenOk) return reply(res, 401, { success: false, error: 'invalid chatAccountToken' });
        if (!known('sessionID') || !body.files[0]) return reply(res, 400, { success: false, error: 'file and a known sessionID are required' });
        return reply(res, 200, { success: true });
      }
      case 'POST /api/v2/chat/notifyUserNewChatEvent': {
        const event = get('event');
        if (!known('chatSessionID') || typeof event !== 'string' || !CHAT_EVENTS.has(event))
          return reply(res, 400, { success: false, error: 'unknown chatSessionID or event' });
        return reply(res, 200, { success: true });
      }
      case 'POST /api/v2/message/notifyUserEndChat': {
        const conv = known('chatSessionID');
        if (!conv || typeof get('chatServer') !== 'string') return reply(res, 400, { success: false, error: 'unknown chatSessionID' });
        conv.agent.visitorLeft();
        return reply(res, 200, { success: true });
      }
      case 'POST /api/v2/message/chatbot': {
        if (!['from', 'subject', 'message'].every((k) => typeof get(k) === 'string' && get(k)))
          return reply(res, 400, { success: false, error: 'from, subject and message are required' });
        return reply(res, 200, { success: true, ticketID: received.length });
      }
      default:
        return reply(res, 404, { success: false, error: 'not found' });
    }
  }

  const server = createServer((req, res) => {
    handle(req, res).catch(() => reply(res, 500, { success: false }));
  });
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  base = `http://${opts.host ?? '127.0.0.1'}:${port}`;

  return {
    vendor: 'omnidesk',
    url: base,
    options: { apiBase: `${base}/api/v2`, configUrl: `${base}/requestChatConfig`, chatAccountToken: token },
    received,
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
  const { chatAccountToken, apiBase, configUrl } = sim.options;
  if (!chatAccountToken || !apiBase || !configUrl) throw new Error('not an Omnidesk simulator: its options lack the token or URLs');
  return omnideskAdapter({ chatAccountToken, apiBase, configUrl, ...overrides });
}
