/**
 * ExpertFlow chat server, as the Customer Channel API document describes it: REST
 * (`POST /api/customer/init`, `GET /api/customer/transcript/{id}/{pdf|email}`) and the real
 * socket.io Server on one loopback HTTP port, driven by the shared ScriptedAgent.
 *
 * Conversations live in an `ExpertFlowStore` that may outlive the server: stop the
 * simulator, start it again on the same port with the same store, and the conversation
 * (history, participants, the agent at the desk) is still there, as after a restart of
 * the vendor's socket front-end. While no server runs, the agent's lines go to history
 * only and reach the widget through `conversationInfo` when it rejoins.
 *
 * Which socket.io: `socketio: 4` (default) runs socket.io 4; `socketio: 2` runs the real
 * socket.io 2.5.1 server (npm alias `socket.io-v2`, Engine.IO 3), the generation the
 * document's 2018 servers ran. Everything else is the same on both.
 *
 * What goes on the wire is what the document shows: Participant objects are `{ id, name }`,
 * `handOff` and `noAgentAvailable` carry an empty `info`, the `greetings` activity no text.
 * Extras a real server may add, which the transport reads when present, are sent only when a
 * test asks (`extras`): `queue` (`handOff.info: { position, total }`), `text` (wait, greeting
 * and no-agent lines in `info.text`; `endOfConversation.info.reason`), `type` (participant
 * `type: customer|agent|bot`).
 *
 * Flows: agent-first (the request is handed off at once, the scripted agent joins), or with
 * `bot` on, bot-first: a bot participant greets and answers; the visitor asking for a person
 * ("agent", "human", "person") makes it hand off, then the scripted agent joins, or, when no
 * agent is available, `noAgentAvailable` follows the bot's lines.
 *
 * Choices where the document is silent:
 * - `noAgentAvailable` does not end the conversation: it stays open (the bot holds it) until
 *   the customer's `endConversation`, the strictest reading of "currently no agents".
 * - the agent's typing is a `typing` activity (no "stopped" exists: the widget times it out).
 * - the email transcript answers 200 with an empty body, as documented, and is "mailed" to
 *   the address given at init; the transcript URL takes no parameters.
 *
 * Frames that break the document's rules are listed in `violations` (tests assert none).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import createV2Server from 'socket.io-v2';
import type { ScriptedAgentOptions } from './agent';
import type { ReceivedFrame, SimulatorHandle, SimulatorOptions } from './types';
import { LOOPBACK_ORIGIN } from './loopback-cors';
import { BOT_LINES, conversationRules, GREETING_TEXT } from './expertflow-conversation';
import { restRoutes } from './expertflow-rest';
import { ExpertFlowStore, iso, obj, str, type ExpertFlowExtra, type Obj, type WireParticipant } from './expertflow-store';

export { BOT_LINES } from './expertflow-conversation';
export { transcriptPdf } from './transcript-pdf';
export {
  createExpertFlowStore, ExpertFlowStore, type ExpertFlowConversation, type ExpertFlowExtra, type WireParticipant,
} from './expertflow-store';

export interface ExpertFlowSimulatorOptions extends SimulatorOptions {
  state?: ExpertFlowStore;
  /** The socket.io generation the server runs (default 4). */
  socketio?: 2 | 4;
  /** Bot-first conversations (sets the store's `bot`). */
  bot?: boolean;
  /** Undocumented extras to send (added to the store's). */
  extras?: readonly ExpertFlowExtra[];
}

export interface ExpertFlowSimulatorHandle extends SimulatorHandle {
  state: ExpertFlowStore;
  socketio: 2 | 4;
  /** The store's violations: frames that broke the document's rules. */
  violations: string[];
  /** The next init request answers with `status` (500 or 503). */
  failNextInit(status?: number): void;
}

/** One socket as the simulator uses it, whichever socket.io generation runs. */
interface WireSocket {
  on(event: string, listener: (payload: unknown) => void): void;
  emit(event: string, payload: Obj): void;
  join(room: string): void;
}

export async function startExpertFlowSimulator(opts: ExpertFlowSimulatorOptions = {}): Promise<ExpertFlowSimulatorHandle> {
  const store = opts.state ?? new ExpertFlowStore();
  const ownStore = !opts.state;
  if (opts.bot !== undefined) store.bot = opts.bot;
  for (const extra of opts.extras ?? []) store.extras.add(extra);
  const generation = opts.socketio ?? 4;
  const agentOptions: ScriptedAgentOptions = opts.agent ?? {};
  const received: ReceivedFrame[] = [];
  const record = (channel: string, name: string, payload: unknown) => {
    // The frame's conversationId names its chat (the agent console's inspector).
    const chat = typeof payload === 'object' && payload !== null ? (payload as Obj).conversationId : undefined;
    received.push({ at: Date.now(), channel, name, payload, ...(typeof chat === 'string' ? { chat } : {}) });
  };
  const { violation, wire, withText, checkParticipant, deliver, activity, handToAgent, botSay, botHears, conversationOf } = conversationRules(store, agentOptions);
  const http = createServer(restRoutes(store, record));

  // --- socket.io (either generation; the events are the same) ---

  function onConnection(socket: WireSocket): void {
    socket.on('registerConnector', (p: unknown) => record('socket.io', 'registerConnector', p));

    socket.on('joinConversation', (p: unknown) => {
      record('socket.io', 'joinConversation', p);
      const body = obj(p);
      checkParticipant('joinConversation', body?.participant);
      const c = conversationOf('joinConversation', body);
      if (!c) return;
      if (str(obj(body?.participant)?.id) !== c.customer.id) return violation('joinConversation: participant is not the customer');
      socket.join(c.id);
      socket.emit('conversationInfo', {
        conversation: { id: c.id, state: c.state, channel: str(c.init.channel) ?? 'web', subject: str(c.init.subject) ?? '' },
        messages: c.history,
        participant: c.participants.map(wire),
        role: 'customer',
      });
      socket.emit('messageArrived', activity(c, 'greetings', undefined, withText(GREETING_TEXT)));
      if (c.state !== 'new') return;
      c.state = 'active';
      if (!store.bot) return handToAgent(c);
      const participant: WireParticipant = { id: `bot-${c.id.slice(-6)}`, name: BOT_LINES.name, type: 'bot' };
      c.participants.push(participant);
      c.bot = { participant, handedOff: false, timers: new Set() };
      botSay(c, 300, BOT_LINES.greeting(c.customer.name));
    });

    socket.on('sendMessage', (p: unknown) => {
      record('socket.io', 'sendMessage', p);
      const body = obj(p);
      checkParticipant('sendMessage', body?.from);
      const c = conversationOf('sendMessage', body);
      const from = obj(body?.from);
      if (!body || !c) return;
      if (str(from?.id) !== c.customer.id) return violation('sendMessage: from is not the customer');
      if (c.state === 'ended') return violation('sendMessage: the conversation has ended');
      if (body.language !== undefined && !/^[a-z]{2,3}$/.test(str(body.language) ?? '')) {
        violation(`sendMessage: language ${JSON.stringify(body.language)} is not a language code like "en"`);
      }
      if (body.type === 'ActivityMessage') return; // the visitor's typing goes to the agent's desk
      const text = str(body.text);
      // A customer cannot whisper: whisper lines are hidden from customers, never sent by them.
      if (body.type !== 'ChatMessage' || text === undefined || body.tag === 'whisper') {
        return violation('sendMessage: not a ChatMessage with text and without whisper');
      }
      const line: Obj = {
        conversationId: c.id,
        type: 'ChatMessage',
        requestId: str(body.requestId) ?? c.requestId,
        timestamp: str(body.timestamp) ?? iso(),
        from: { id: c.customer.id, name: str(from?.name) ?? c.customer.name },
        to: [],
        refId: str(c.init.refId) ?? '',
        language: str(body.language) ?? 'en',
        text,
        attachments: [],
      };
      deliver(c, 'messageArrived', line, true);
      if (c.bot && !c.bot.handedOff) botHears(c, text);
      else c.agent?.hear(text);
    });

    socket.on('endConversation', (p: unknown) => {
      record('socket.io', 'endConversation', p);
      const c = conversationOf('endConversation', obj(p));
      if (!c || c.state === 'ended') return;
      c.state = 'ended';
      c.agent?.visitorLeft();
      c.bot?.timers.forEach(clearTimeout);
      deliver(c, 'messageArrived', activity(c, 'endOfConversation', c.customer, {}), true);
    });
  }

  /** The agent console's wire inspector sees what the server emits. */
  const sent = (event: string, payload: Obj, chat?: string) => agentOptions.desk?.sent('socket.io', event, payload, chat);
  const corsOk = (o: string | undefined) => !o || o === '*' || LOOPBACK_ORIGIN.test(o);
  let toRoom: (room: string, event: string, payload: Obj) => void;
  let closeIo: () => Promise<void>;
  // Either generation's socket, as the conversation code sees it (every emit tapped for the inspector).
  type AnySocket = { on(event: string, fn: (payload: unknown) => void): unknown; emit(event: string, payload: unknown): unknown; join(room: string): unknown };
  const bridge = (socket: AnySocket): Parameters<typeof onConnection>[0] => ({
    on: (event, listener) => void socket.on(event, (payload: unknown) => listener(payload)),
    emit: (event, payload) => void (sent(event, payload), socket.emit(event, payload)),
    join: (room) => void socket.join(room),
  });
  if (generation === 2) {
    // socket.io 2.5.1 (Engine.IO 3): the server generation of the document's era.
    const io = createV2Server(http, { serveClient: false, origins: (o, cb) => cb(null, corsOk(o)) });
    io.on('connection', (socket) => onConnection(bridge(socket)));
    toRoom = (room, event, payload) => void (sent(event, payload, room), io.to(room).emit(event, payload));
    closeIo = () => new Promise<void>((resolve) => io.close(() => resolve()));
  } else {
    const io = new Server(http, {
      cors: { origin: (o: string | undefined, cb: (err: Error | null, ok?: boolean) => void) => cb(null, corsOk(o)) },
    });
    io.on('connection', (socket) => onConnection(bridge(socket)));
    toRoom = (room, event, payload) => void (sent(event, payload, room), io.to(room).emit(event, payload));
    closeIo = () => new Promise<void>((resolve) => void io.close(() => resolve()));
  }

  const previous = new Map<string, Obj>();
  const ours = (id: string, event: string, payload: Obj) => {
    toRoom(id, event, payload);
    if (!store.garble || event !== 'messageArrived') return;
    toRoom(id, event, payload);
    const before = previous.get(id);
    if (before) toRoom(id, event, before);
    previous.set(id, payload);
  };
  store.deliver = ours;

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = http.address() as AddressInfo;
  const host = opts.host ?? '127.0.0.1';

  return {
    vendor: 'expertflow',
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    options: {},
    received,
    state: store,
    socketio: generation,
    violations: store.violations,
    failNextInit(status = 503) {
      store.initFailures.push(status);
    },
    async close() {
      if (store.deliver === ours) delete store.deliver;
      const done = closeIo();
      http.closeAllConnections();
      await done;
      if (ownStore) store.dispose();
    },
  };
}
