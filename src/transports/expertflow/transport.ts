/**
 * ExpertFlow Customer Channel API: `POST /api/customer/init` over REST, then socket.io
 * (`joinConversation`, `sendMessage`, `endConversation` out; `messageArrived`,
 * `conversationInfo` in). socket.io-client 4 is imported here only, so it ships with this
 * chunk; servers that run socket.io 2 get the 2.x client as a further lazy chunk (link.ts).
 *
 * What the document gives, and what is only an optional extra:
 * - Participants are `{ id, name }`. Bot or human: anyone speaking or joining before the
 *   request is handed off (`handOff`) is the bot; those who join after it are people. An
 *   undocumented `type`/`role`/`participantType` saying bot or agent is honoured when present,
 *   never needed.
 * - `noAgentAvailable`, in any phase (also after a bot spoke): the visitor gets the offline
 *   view, and the conversation is ended on the server with `endConversation`.
 * - Queue figures (`handOff.info.position`/`total`), wait and greeting text (`info.text`,
 *   `info.message`, `text`) and an end `info.reason` are undocumented extras: shown when a
 *   server sends them, otherwise the widget's own wait line is shown.
 * - The transcript (`GET /api/customer/transcript/{id}/{pdf|email}`) has no address parameter:
 *   the server mails the address given at init, so "email me" is offered only when one was
 *   given, naming it. A 404 before the server has closed the chat is "not available yet".
 * - `language` is the primary subtag of the visitor's locale (the document's example: `en`).
 *
 * Delivery (core/delivery.ts, a connection being one join): the protocol gives a line no
 * id, so the echo is recognised by its text and the timestamp the line went out with. A
 * `send` is emitted at most once per join: lines written while the socket is down wait
 * for the rejoin's `conversationInfo` (the server's history) and go out only if the
 * history lacks them, so the core's outbox may resend freely without duplicates.
 */
import { io } from 'socket.io-client';
import {
  capText,
  type Capability,
  type ChatConfig,
  type Command,
  type ConfabEventBody,
  type EndedBy,
  type IncomingMessage,
  type Json,
  type Transport,
  type TransportFactory,
  type TransportOptions,
} from '../../core/contract';
import { onWake } from '../../core/backoff';
import { createKit } from '../../core/transport-kit';
import type { StorageLike } from '../../core/persistence';
import { t, type MessageKey } from '../../core/i18n';
import { safeUrl } from '../../core/urls';
import {
  decodeArrived,
  decodeInfo,
  decodeInit,
  decodeParticipant,
  type Activity,
  type Arrived,
  type ChatLine,
  type Participant,
} from './decode';
import { chatConfig } from './prechat';
import { languageCode, sessionStore, transcript, uuid } from './rest';
import { resumed, resumeToken, roleOf, unansweredRejection, type Conversation } from './resume';

export { languageCode };
import { createLedger, echoOf, type Line } from '../../core/delivery';
import { createLink, type Generation, type IoFactory, type Link, type SocketLike } from './link';

export interface ExpertFlowDeps {
  /** socket.io-client 4 (default: the real one). */
  io?: IoFactory;
  /** Loads socket.io-client 2 (default: the lazy chunk of the real 2.5 client). */
  loadIo2?: () => Promise<IoFactory>;
  /** Where the generation found for a server is remembered (default: sessionStorage). */
  storage?: StorageLike | null;
  fetch?: typeof fetch;
  /** Hands the transcript PDF to the visitor; default: download through a Blob URL. */
  save?: (pdf: Blob, fileName: string) => void;
}

/** Without a `conversationInfo` (a server that skips it) a join counts as done after this. */
const JOIN_GRACE_MS = 3000;
/** The protocol has no "typing stopped": the indicator times out (the kit's agentTypingMs). */
const TYPING_MS = 6000;

const io4: IoFactory = (uri, opts) => io(uri, opts) as unknown as SocketLike;
const loadIo2 = async (): Promise<IoFactory> => {
  const { default: io2 } = await import('socket.io-client-v2');
  return (uri, opts) => io2(uri, opts);
};

export function createExpertFlowTransport(o: TransportOptions, deps: ExpertFlowDeps = {}): Transport {
  const kit = createKit({ vendor: 'expertflow', clock: o.clock, agentTypingMs: TYPING_MS });
  const { clock, emit, log } = kit;
  const opt = o.options;
  const server = safeUrl(opt.server, 'media')?.replace(/\/+$/, '') ?? null;
  const forced: Generation | undefined = opt.socketio === '2' ? 2 : opt.socketio === '4' ? 4 : undefined;
  const language = languageCode(o.locale);
  const doFetch = deps.fetch ?? ((...a: Parameters<typeof fetch>) => fetch(...a));
  const config = chatConfig(opt);
  const restored = resumed(o.resume);
  const roles = restored.roles;
  const capabilities = new Set<Capability>(['typing', 'end', 'cancel', 'resume']);
  // After an end without a conversation id there is nothing to ask a transcript for.
  if (restored.conv || !restored.ended) capabilities.add('transcript-pdf').add('transcript-email');
  if (config.prechat.length) capabilities.add('prechat');

  let link: Link | undefined;
  let gaveUp = false;
  let conv = restored.conv;
  let starting = false;
  // An ended conversation is never joined again; it is kept for its transcript.
  let ended = restored.ended;
  let endUnsent = false;
  let unwake = (): void => undefined;
  let joined = false;
  let joinTimer: unknown;
  const agents = new Map<string, Participant>();
  const lines = createLedger();

  const sock = (): SocketLike | undefined => link?.socket;
  const online = (): boolean => sock()?.connected === true;
  const error = (code: string, key: MessageKey, fatal = false): void =>
    emit({ type: 'error', code, message: t(key, { name: 'data-server' }), fatal, retryable: code === 'start-failed' });
  const now = (): string => new Date(clock.now()).toISOString();
  const base = (c: Conversation) => ({ conversationId: c.id, requestId: c.requestId, timestamp: now() });
  // The document's Participant is exactly { id, name }.
  const me = (c: Conversation) => ({ id: c.me.id, name: c.me.name });

  function finish(by: EndedBy, text?: string): void {
    if (ended) return;
    ended = true;
    kit.typing(false);
    emit(text ? { type: 'ended', by, text } : { type: 'ended', by });
    // A reload after the end keeps the id for the transcript but never rejoins.
    emit({ type: 'resume', token: resumeToken(conv, true, roles) });
  }

  const isBot = (p: Participant): boolean => roleOf(roles, p);

  /** The hand-off: a person is expected from now on. Remembered for a page change. */
  function handedOff(c: Conversation): void {
    if (roles.handedOff) return;
    roles.handedOff = true;
    if (!ended) emit({ type: 'resume', token: resumeToken(c, false, roles) });
  }

  /** A config naming where the server mails the transcript (the address given at init). */
  const configFor = (c: Conversation | null): ChatConfig => ({ ...config, transcriptEmailTo: c?.email ?? '' });

  function emitLine(c: Conversation, line: ChatLine): void {
    if (line.whisper || (line.conversationId && line.conversationId !== c.id)) return;
    const fromMe = line.from.id === c.me.id;
    // Names of refused attachments follow the text; the whole line keeps the text bound.
    const text = capText([line.text, ...line.blocked].filter(Boolean).join('\n'));
    const message: IncomingMessage = {
      id: line.id,
      sender: fromMe ? 'visitor' : isBot(line.from) ? 'bot' : 'agent',
      text,
    };
    if (line.from.name) message.authorName = line.from.name;
    if (line.attachments.length) message.attachments = line.attachments;
    if (line.sentAt !== undefined) message.sentAt = line.sentAt;
    if (fromMe) {
      // A copy of a line already seen (a rejoin's history) claims what it claimed then.
      const at = line.timestamp ? Date.parse(line.timestamp) : undefined;
      const hit = lines.claim({ id: line.id, text: line.text, ...(at !== undefined && { at }) });
      if (hit) message.clientId = hit.clientId;
    } else {
      kit.typing(false);
    }
    emit({ type: 'message', message });
  }

  function agentJoined(c: Conversation, p: Participant | null | undefined): void {
    if (!p || p.id === c.me.id || agents.has(p.id)) return;
    agents.set(p.id, p);
    emit({ type: 'agent', action: 'joined', agent: { name: p.name, isBot: isBot(p) } });
  }

  function onActivity(c: Conversation, a: Activity, fromHistory: boolean): void {
    if (a.conversationId && a.conversationId !== c.id) return;
    const who = decodeParticipant(a.info.participant) ?? a.from;
    switch (a.activityType) {
      case 'participantAdded':
      case 'participantJoined':
        return agentJoined(c, who);
      case 'participantRemoved':
      case 'participantLeft': {
        const p = who && agents.get(who.id);
        if (p) {
          agents.delete(p.id);
          emit({ type: 'agent', action: 'left', agent: { name: p.name, isBot: isBot(p) } });
        }
        return;
      }
      case 'endOfConversation': {
        const by: EndedBy =
          a.from?.id === c.me.id ? 'visitor' : a.info.reason === 'timeout' ? 'timeout' : a.from ? 'agent' : 'system';
        return finish(by, a.text);
      }
      case 'handOff':
        // From the history too: who joins after it is a person, whenever this page saw it.
        handedOff(c);
        break;
    }
    // Replaying the rest from history would re-show stale waits and typing.
    if (fromHistory || ended) return;
    switch (a.activityType) {
      case 'greetings':
        if (a.text) emit({ type: 'message', message: { id: `ef-greet-${c.id}`, sender: 'system', text: a.text } });
        return;
      case 'typing':
        if (a.from?.id !== c.me.id) kit.typing(true);
        return;
      case 'handOff': {
        // Queue figures in `info` are this transport's reading of "notification data";
        // a handOff without them is the plain wait line.
        const position = a.info.position;
        if (typeof position === 'number') {
          const total = a.info.total;
          emit(typeof total === 'number' ? { type: 'queue', position, total } : { type: 'queue', position });
        }
        if (a.text || typeof position !== 'number')
          emit({ type: 'waiting', kind: 'waiting', text: a.text ?? t('wait.default') });
        return;
      }
      case 'noAgentAvailable':
        return reject(c, a);
    }
    // Activity types the document does not list are ignored, not errors: servers add them.
  }

  /**
   * Nobody will take the chat, whatever the phase (a bot may have been talking): the visitor
   * gets the offline view (the session fails lines still unconfirmed, visibly), and the
   * conversation is ended on the server, as the bot would otherwise hold it open.
   */
  function reject(c: Conversation, a: Activity): void {
    if (ended) return;
    ended = true;
    kit.typing(false);
    emit({ type: 'rejected', reason: a.text ?? t('offline.default') });
    emit({ type: 'resume', token: null });
    sendEnd(c);
  }

  function onArrived(raw: unknown): void {
    const c = conv;
    if (!c) return;
    const a = decodeArrived(raw, server ?? '');
    if (!a) return kit.badFrame('messageArrived', raw);
    if (a.type === 'ChatMessage') emitLine(c, a);
    else onActivity(c, a, false);
  }

  function onInfo(raw: unknown): void {
    const c = conv;
    if (!c) return;
    const info = decodeInfo(raw, server ?? '');
    if (!info) return kit.badFrame('conversationInfo', raw);
    // Roles first, in the history's order (who spoke before the hand-off is the bot), so that
    // the participants list below is told apart the same way.
    for (const m of info.messages) {
      if (m.conversationId && m.conversationId !== c.id) continue;
      if (m.type === 'ChatMessage') {
        if (m.from.id !== c.me.id) isBot(m.from);
      } else if (m.activityType === 'handOff') handedOff(c);
      else if (m.activityType === 'participantAdded' || m.activityType === 'participantJoined') {
        const who = decodeParticipant(m.info.participant) ?? m.from;
        if (who && who.id !== c.me.id) isBot(who);
      }
    }
    for (const p of info.participants) agentJoined(c, p);
    for (const m of info.messages) {
      if (m.type === 'ChatMessage') emitLine(c, m);
      else onActivity(c, m, true);
    }
    const rejection = ended ? undefined : unansweredRejection(c, info.messages, isBot);
    if (rejection) return reject(c, rejection);
    markJoined();
  }

  function emitSend(c: Conversation, out: Line): void {
    lines.wrote(out);
    sock()?.emit('sendMessage', {
      ...base(c),
      timestamp: new Date(out.at).toISOString(),
      type: 'ChatMessage',
      from: me(c),
      text: out.text,
      language,
      // Never "whisper": a whisper is hidden from the customer, i.e. from the sender here.
      tag: '',
      attachments: [],
    });
  }

  function markJoined(): void {
    if (joined || !conv || ended) return;
    joined = true;
    clock.clearTimeout(joinTimer);
    for (const out of lines.historyRead()) emitSend(conv, out);
  }

  function join(): void {
    const c = conv;
    if (!c || !online()) return;
    if (ended) {
      if (endUnsent) sendEnd(c);
      return;
    }
    joined = false;
    lines.reconnected();
    // Lines emitted before this join may have been lost with the old socket: they are
    // sent again only when the core's outbox asks (after the history has been seen).
    sock()?.emit('joinConversation', { ...base(c), participant: me(c) });
    clock.clearTimeout(joinTimer);
    joinTimer = clock.setTimeout(markJoined, JOIN_GRACE_MS);
  }

  function sendEnd(c: Conversation): void {
    endUnsent = !online();
    if (!endUnsent) sock()?.emit('endConversation', base(c));
  }

  async function start(
    visitor: Record<string, string | undefined>,
    answers: Record<string, string>,
    department?: string,
    attributes?: Readonly<Record<string, string>>,
  ): Promise<void> {
    if (starting || (conv && !ended)) return;
    if (!server) return error('bad-config', 'transport.badOption', true);
    // A new start after the link gave up tries the server again (the join follows the open).
    if (gaveUp) {
      gaveUp = false;
      link?.retry();
    }
    starting = true;
    ended = false;
    endUnsent = false;
    conv = null;
    roles.handedOff = false;
    roles.bots.clear();
    roles.people.clear();
    agents.clear();
    lines.clear();
    const pick = (answer: string, field: string): string => answers[answer] || visitor[field] || '';
    const phone = pick('phone', 'phone');
    const email = pick('email', 'email');
    // The site's attributes (update) as extra init fields: "Request parameters can be defined by
    // developers". The document's own fields come after them, so an attribute never replaces one.
    const body = {
      ...attributes,
      firstName: pick('name', 'name'),
      lastName: pick('lastName', 'lastName'),
      email,
      phone,
      channel: opt.channel || 'web',
      language,
      subject: answers.subject || department || opt.subject || '',
      // "Normally the phone number": else the email, else the widget's stable visitor id,
      // so that one person's chats stay linked in the agent's desk.
      refId: phone || email || o.visitorId,
      comment: answers.comment ?? '',
      url: o.pageUrl,
      requestId: uuid(),
      timestamp: now(),
    };
    try {
      const res = await doFetch(`${server}/api/customer/init`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      const reply = res.ok ? decodeInit(await res.json().catch(() => null)) : null;
      if (kit.closed) return;
      if (!reply) throw new Error(`init ${res.status}`);
      const c: Conversation = { id: reply.conversationId, me: reply.participant, requestId: body.requestId, email };
      conv = c;
      // Where the transcript would be mailed: the address just given, or none.
      emit({ type: 'config', config: configFor(c) });
      // The visitor cancelled while the request was on its way: end it at once (its
      // transcript can be asked for now that the id is known).
      if (ended) {
        emit({ type: 'resume', token: resumeToken(c, true, roles) });
        return sendEnd(c);
      }
      emit({ type: 'accepted', chatId: c.id });
      emit({ type: 'resume', token: resumeToken(c, false, roles) });
      join();
    } catch (err) {
      // 500, 503, a network failure or an unreadable reply: the core offers Retry (a new start).
      log('chat request failed', err);
      error('start-failed', 'error.startFailed');
    } finally {
      starting = false;
    }
  }

  function send(command: Command): void {
    const c = conv;
    switch (command.type) {
      case 'start':
        return void start(command.visitor, command.answers, command.department, command.attributes);
      case 'send': {
        const known = lines.get(command.clientId);
        if (known?.id !== undefined) return emit({ type: 'message', message: echoOf(known) });
        if (known?.wire === lines.conn) return; // already on the wire on this join
        // Never silently: a line after the conversation is over is refused out loud.
        if (ended && c) return error('send-failed', 'error.sendFailed');
        const out = known ?? lines.add(command.clientId, command.text, clock.now(), undefined);
        if (c && joined && online() && !ended) emitSend(c, out);
        else out.wire = 0; // held until the join's history is read
        return;
      }
      case 'typing':
        // The protocol has no "stopped typing"; the agent's desk times the indicator out.
        if (command.on && c && joined && !ended)
          sock()?.emit('sendMessage', { ...base(c), type: 'ActivityMessage', activityType: 'typing', from: me(c), to: [], info: {} });
        return;
      case 'end':
      case 'cancel':
        if (ended) return;
        finish('visitor');
        if (c) sendEnd(c);
        return;
      case 'transcript':
        return void transcript(command.format, conv, server, doFetch, deps.save, emit, error, log);
      default:
        return error('unsupported', 'transport.unsupported');
    }
  }

  return {
    capabilities,
    connect(s) {
      kit.connect(s);
      emit({ type: 'connection', state: 'connecting' });
      emit({ type: 'config', config: configFor(conv) });
      if (!server) return error('bad-config', 'transport.badOption', true);
      // Stalls are socket.io's own: a missed server ping closes within pingInterval + pingTimeout.
      link = createLink(
        {
          server: new URL(server),
          forced,
          storage: deps.storage === undefined ? sessionStore() : deps.storage,
          fetch: doFetch,
          io4: deps.io ?? io4,
          loadIo2: deps.loadIo2 ?? loadIo2,
        },
        {
          socket(sk) {
            sk.on('messageArrived', onArrived);
            sk.on('conversationInfo', onInfo);
          },
          open() {
            gaveUp = false;
            emit({ type: 'connection', state: 'open' });
            join();
          },
          down(reason) {
            joined = false;
            // What was on the wire may be lost: a resend from the core may go out again, but
            // only after the rejoin's history shows whether the server has it.
            lines.reconnected();
            if (kit.closed) return;
            emit({ type: 'connection', state: 'reconnecting', reason });
            // socket.io does not reconnect by itself after a server-side disconnect.
            if (reason === 'io server disconnect') sock()?.connect();
          },
          attempt(n) {
            emit({ type: 'connection', state: 'reconnecting', attempt: n });
          },
          gaveUp(cause) {
            // Never an endless "Reconnecting": closed (the session fails unconfirmed lines,
            // visibly), and a clear error whose Retry starts over.
            gaveUp = true;
            joined = false;
            emit({ type: 'connection', state: 'closed', reason: cause });
            emit({ type: 'error', code: 'connect-failed', message: t('error.connectFailed'), fatal: false, retryable: true });
          },
        },
      );
      // socket.io's backoff waits up to 30 s: a wake-up (online, page visible) tries at once.
      unwake = onWake(() => {
        if (!kit.closed) link?.wake();
      });
    },
    send(command) {
      try {
        send(command);
      } catch (err) {
        log('command failed', err);
        error('unsupported', 'transport.unsupported');
      }
    },
    close() {
      if (kit.closed) return;
      emit({ type: 'connection', state: 'closed', reason: 'closed' });
      kit.close();
      unwake();
      clock.clearTimeout(joinTimer);
      link?.close();
    },
  };
}

export const createTransport: TransportFactory = (options) => createExpertFlowTransport(options);
