/**
 * ExpertFlow Customer Channel API: `POST /api/customer/init` over REST, then socket.io
 * (`joinConversation`, `sendMessage`, `endConversation` out; `messageArrived`,
 * `conversationInfo` in). socket.io-client is imported here only, so it ships in this chunk.
 *
 * Delivery: the protocol gives a line no id, so the transport remembers what it sent
 * (client id, text, the timestamp it put on the wire) and recognises the echo by them. A
 * `send` is emitted at most once per join: lines written while the socket is down wait
 * for the rejoin's `conversationInfo` (the server's history) and go out only if the
 * history lacks them, so the core's outbox may resend freely without duplicates.
 */
import { io, type ManagerOptions, type Socket, type SocketOptions } from 'socket.io-client';
import {
  capText,
  realClock,
  stamp,
  type Capability,
  type Command,
  type ConfabEventBody,
  type EndedBy,
  type EventSink,
  type IncomingMessage,
  type Json,
  type Transport,
  type TransportFactory,
  type TransportOptions,
} from '../../core/contract';
import { onWake } from '../../core/backoff';
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

export interface ExpertFlowDeps {
  io?: (uri: string, opts: Partial<ManagerOptions & SocketOptions>) => Socket;
  fetch?: typeof fetch;
  /** Hands the transcript PDF to the visitor; default: download through a Blob URL. */
  save?: (pdf: Blob, fileName: string) => void;
}

interface Conversation {
  id: string;
  me: Participant;
  requestId: string;
}

interface Outgoing {
  text: string;
  timestamp: string;
  /** The join epoch it was emitted in; 0 = not emitted yet. */
  epoch: number;
}

/** Without a `conversationInfo` (a server that skips it) a join counts as done after this. */
const JOIN_GRACE_MS = 3000;
/** The protocol has no "typing stopped": the indicator times out. */
const TYPING_MS = 6000;

function uuid(): string {
  // crypto.randomUUID exists only in secure contexts; getRandomValues everywhere.
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6]! & 15) | 64;
  b[8] = (b[8]! & 63) | 128;
  const h = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

function download(pdf: Blob, fileName: string): void {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(pdf);
  a.download = fileName;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 60_000);
}

/**
 * The resume token: the conversation while it is active, and after its end the same marked
 * `ended: true`, which the session passes back after a page change in the ended phases so that
 * the transcript (asked for by conversation id) still works. `{ ended: true }` alone: the chat
 * ended before the server named its conversation, so there is no transcript to offer.
 */
function resumeToken(c: Conversation | null, over: boolean): Json {
  const conversation = c && { id: c.id, me: { ...c.me }, requestId: c.requestId };
  return over ? { ...conversation, ended: true } : conversation;
}

function resumed(token: Json | undefined): { conv: Conversation | null; ended: boolean } {
  const o = token && typeof token === 'object' && !Array.isArray(token) ? token : null;
  const me = o && decodeParticipant(o.me);
  const conv =
    o && me && typeof o.id === 'string' && typeof o.requestId === 'string' ? { id: o.id, me, requestId: o.requestId } : null;
  return { conv, ended: o?.ended === true };
}

export function createExpertFlowTransport(o: TransportOptions, deps: ExpertFlowDeps = {}): Transport {
  const clock = o.clock ?? realClock;
  const opt = o.options;
  const server = safeUrl(opt.server, 'media')?.replace(/\/+$/, '') ?? null;
  const doFetch = deps.fetch ?? ((...a: Parameters<typeof fetch>) => fetch(...a));
  const config = chatConfig(opt);
  const restored = resumed(o.resume);
  const capabilities = new Set<Capability>(['typing', 'end', 'cancel', 'resume']);
  // After an end without a conversation id there is nothing to ask a transcript for.
  if (restored.conv || !restored.ended) capabilities.add('transcript-pdf').add('transcript-email');
  if (config.prechat.length) capabilities.add('prechat');

  let sink: EventSink = () => {};
  let socket: Socket | undefined;
  let conv = restored.conv;
  let starting = false;
  // An ended conversation is never joined again; it is kept for its transcript.
  let ended = restored.ended;
  let endUnsent = false;
  let closed = false;
  let unwake = (): void => undefined;
  let joined = false;
  let epoch = 0;
  let joinTimer: unknown;
  let typingTimer: unknown;
  const agents = new Map<string, Participant>();
  const outbox = new Map<string, Outgoing>();
  const echoes = new Map<string, IncomingMessage>();
  /** Every visitor line id seen, and the client id it confirmed ('' for none). */
  const visitorLines = new Map<string, string>();

  const emit = (body: ConfabEventBody): void => {
    if (!closed) sink(stamp(body, clock));
  };
  const error = (code: string, key: MessageKey, fatal = false): void =>
    emit({ type: 'error', code, message: t(key, { name: 'data-server' }), fatal, retryable: code === 'start-failed' });
  let badFrames = 0;
  const malformed = (what: string, raw: unknown): void => {
    // Each bad payload is an `error` event; only the first few reach the console as well.
    if (++badFrames <= 10) console.warn(`Confab: unreadable ${what} from the chat server`, raw);
    error('bad-frame', 'transport.badFrame');
  };
  const now = (): string => new Date(clock.now()).toISOString();
  const base = (c: Conversation) => ({ conversationId: c.id, requestId: c.requestId, timestamp: now() });
  // The document's Participant is { id, name }: the widget's own isBot stays off the wire.
  const me = (c: Conversation) => ({ id: c.me.id, name: c.me.name });

  function typingOff(): void {
    if (typingTimer === undefined) return;
    clock.clearTimeout(typingTimer);
    typingTimer = undefined;
    emit({ type: 'typing', on: false });
  }

  function finish(by: EndedBy, text?: string): void {
    if (ended) return;
    ended = true;
    typingOff();
    emit(text ? { type: 'ended', by, text } : { type: 'ended', by });
    // A reload after the end keeps the id for the transcript but never rejoins.
    emit({ type: 'resume', token: resumeToken(conv, true) });
  }

  function emitLine(c: Conversation, line: ChatLine): void {
    if (line.whisper || (line.conversationId && line.conversationId !== c.id)) return;
    const fromMe = line.from.id === c.me.id;
    // Names of refused attachments follow the text; the whole line keeps the text bound.
    const text = capText([line.text, ...line.blocked].filter(Boolean).join('\n'));
    const message: IncomingMessage = {
      id: line.id,
      sender: fromMe ? 'visitor' : line.from.isBot ? 'bot' : 'agent',
      text,
    };
    if (line.from.name) message.authorName = line.from.name;
    if (line.attachments.length) message.attachments = line.attachments;
    if (line.sentAt !== undefined) message.sentAt = line.sentAt;
    if (fromMe) {
      const known = visitorLines.get(line.id);
      if (known !== undefined) {
        // A copy of a line already seen (a rejoin's history, a repeated frame) is never the
        // echo of a newer outbox entry, even one with the same text: matching it would drop
        // that entry unsent.
        if (known) message.clientId = known;
      } else {
        let match: string | undefined;
        for (const [clientId, out] of outbox) {
          if (out.text !== line.text) continue;
          // The text alone (timestamps differ after a page change) only for a line not seen before.
          match ??= clientId;
          if (out.timestamp === line.timestamp) {
            match = clientId;
            break;
          }
        }
        visitorLines.set(line.id, match ?? '');
        if (match) {
          outbox.delete(match);
          message.clientId = match;
          echoes.set(match, message);
        }
      }
    } else {
      typingOff();
    }
    emit({ type: 'message', message });
  }

  function agentJoined(c: Conversation, p: Participant | null | undefined): void {
    if (!p || p.id === c.me.id || agents.has(p.id)) return;
    agents.set(p.id, p);
    emit({ type: 'agent', action: 'joined', agent: { name: p.name, isBot: p.isBot } });
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
          emit({ type: 'agent', action: 'left', agent: { name: p.name, isBot: p.isBot } });
        }
        return;
      }
      case 'endOfConversation': {
        const by: EndedBy =
          a.from?.id === c.me.id ? 'visitor' : a.info.reason === 'timeout' ? 'timeout' : a.from ? 'agent' : 'system';
        return finish(by, a.text);
      }
    }
    // Replaying the rest from history would re-show stale waits and typing.
    if (fromHistory || ended) return;
    switch (a.activityType) {
      case 'greetings':
        if (a.text) emit({ type: 'message', message: { id: `ef-greet-${c.id}`, sender: 'system', text: a.text } });
        return;
      case 'typing':
        if (a.from?.id === c.me.id) return;
        if (typingTimer === undefined) emit({ type: 'typing', on: true });
        else clock.clearTimeout(typingTimer);
        typingTimer = clock.setTimeout(typingOff, TYPING_MS);
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
        return reject(a);
    }
    // Activity types the document does not list are ignored, not errors: servers add them.
  }

  function reject(a: Activity): void {
    emit({ type: 'rejected', reason: a.text ?? t('offline.default') });
    ended = true;
    emit({ type: 'resume', token: null });
  }

  /**
   * A `noAgentAvailable` that is the latest word on the request in the history (nobody joined,
   * wrote or was handed the chat after it): the rejection happened while this page was away
   * (a restart, a page change), and the visitor must not wait for an agent who will not come.
   */
  function unansweredRejection(c: Conversation, messages: readonly Arrived[]): Activity | undefined {
    let last: Activity | undefined;
    for (const m of messages) {
      if (m.conversationId && m.conversationId !== c.id) continue;
      // An agent's line, a new hand-off, or someone other than the visitor joining answers it.
      if (m.type === 'ChatMessage') {
        if (!m.whisper && m.from.id !== c.me.id) last = undefined;
      } else if (m.activityType === 'noAgentAvailable') last = m;
      else if (m.activityType === 'handOff') last = undefined;
      else if (m.activityType === 'participantAdded' || m.activityType === 'participantJoined') {
        const who = decodeParticipant(m.info.participant) ?? m.from;
        if (who && who.id !== c.me.id) last = undefined;
      }
    }
    return last;
  }

  function onArrived(raw: unknown): void {
    const c = conv;
    if (!c) return;
    const a = decodeArrived(raw, server ?? '');
    if (!a) return malformed('messageArrived', raw);
    if (a.type === 'ChatMessage') emitLine(c, a);
    else onActivity(c, a, false);
  }

  function onInfo(raw: unknown): void {
    const c = conv;
    if (!c) return;
    const info = decodeInfo(raw, server ?? '');
    if (!info) return malformed('conversationInfo', raw);
    for (const p of info.participants) agentJoined(c, p);
    for (const m of info.messages) {
      if (m.type === 'ChatMessage') emitLine(c, m);
      else onActivity(c, m, true);
    }
    const rejection = ended ? undefined : unansweredRejection(c, info.messages);
    if (rejection) return reject(rejection);
    markJoined();
  }

  function emitSend(c: Conversation, out: Outgoing): void {
    out.epoch = epoch;
    socket?.emit('sendMessage', {
      ...base(c),
      timestamp: out.timestamp,
      type: 'ChatMessage',
      from: me(c),
      text: out.text,
      language: o.locale,
      // Never "whisper": a whisper is hidden from the customer, i.e. from the sender here.
      tag: '',
      attachments: [],
    });
  }

  function markJoined(): void {
    if (joined || !conv || ended) return;
    joined = true;
    clock.clearTimeout(joinTimer);
    for (const out of outbox.values()) if (!out.epoch) emitSend(conv, out);
  }

  function join(): void {
    const c = conv;
    if (!c || !socket?.connected) return;
    if (ended) {
      if (endUnsent) sendEnd(c);
      return;
    }
    joined = false;
    epoch++;
    // Lines emitted before this join may have been lost with the old socket: they are
    // sent again only when the core's outbox asks (after the history has been seen).
    socket.emit('joinConversation', { ...base(c), participant: me(c) });
    clock.clearTimeout(joinTimer);
    joinTimer = clock.setTimeout(markJoined, JOIN_GRACE_MS);
  }

  function sendEnd(c: Conversation): void {
    endUnsent = !socket?.connected;
    if (!endUnsent) socket?.emit('endConversation', base(c));
  }

  async function start(visitor: Record<string, string | undefined>, answers: Record<string, string>, department?: string): Promise<void> {
    if (starting || (conv && !ended)) return;
    if (!server) return error('bad-config', 'transport.badOption', true);
    starting = true;
    ended = false;
    endUnsent = false;
    conv = null;
    agents.clear();
    outbox.clear();
    echoes.clear();
    visitorLines.clear();
    const pick = (answer: string, field: string): string => answers[answer] || visitor[field] || '';
    const phone = pick('phone', 'phone');
    const email = pick('email', 'email');
    const body = {
      firstName: pick('name', 'name'),
      lastName: pick('lastName', 'lastName'),
      email,
      phone,
      channel: opt.channel || 'web',
      language: o.locale,
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
      if (closed) return;
      if (!reply) throw new Error(`init ${res.status}`);
      const c: Conversation = { id: reply.conversationId, me: reply.participant, requestId: body.requestId };
      conv = c;
      // The visitor cancelled while the request was on its way: end it at once (its
      // transcript can be asked for now that the id is known).
      if (ended) {
        emit({ type: 'resume', token: resumeToken(c, true) });
        return sendEnd(c);
      }
      emit({ type: 'accepted', chatId: c.id });
      emit({ type: 'resume', token: resumeToken(c, false) });
      join();
    } catch (err) {
      // 500, 503, a network failure or an unreadable reply: the core offers Retry (a new start).
      console.warn('Confab: chat request failed', err);
      error('start-failed', 'error.startFailed');
    } finally {
      starting = false;
    }
  }

  async function transcript(format: 'pdf' | 'email', email?: string): Promise<void> {
    const c = conv;
    if (!c || !server) return error('transcript-unavailable', 'error.transcriptNotReady');
    // The document names no email parameter (the server mails the address given at init);
    // an address the visitor typed afterwards is passed along as a query parameter.
    const query = format === 'email' && email ? `?email=${encodeURIComponent(email)}` : '';
    try {
      const res = await doFetch(`${server}/api/customer/transcript/${encodeURIComponent(c.id)}/${format}${query}`);
      if (res.status === 404) return error('transcript-unavailable', 'error.transcriptNotReady');
      if (!res.ok) throw new Error(`transcript ${res.status}`);
      if (format === 'pdf') {
        const pdf = new Blob([await res.arrayBuffer()], { type: 'application/pdf' });
        (deps.save ?? download)(pdf, `transcript-${c.id}.pdf`);
      }
      emit({ type: 'ack', what: 'transcript', detail: format });
    } catch (err) {
      console.warn('Confab: transcript request failed', err);
      error('transcript-failed', 'error.transcriptFailed');
    }
  }

  function send(command: Command): void {
    const c = conv;
    switch (command.type) {
      case 'start':
        return void start(command.visitor, command.answers, command.department);
      case 'send': {
        const echoed = echoes.get(command.clientId);
        if (echoed) return emit({ type: 'message', message: echoed });
        const known = outbox.get(command.clientId);
        if (known && known.epoch === epoch) return; // already on the wire on this join
        const out: Outgoing = known ?? { text: command.text, timestamp: now(), epoch: 0 };
        outbox.set(command.clientId, out);
        if (c && joined && socket?.connected && !ended) emitSend(c, out);
        else out.epoch = 0;
        return;
      }
      case 'typing':
        // The protocol has no "stopped typing"; the agent's desk times the indicator out.
        if (command.on && c && joined && !ended)
          socket?.emit('sendMessage', { ...base(c), type: 'ActivityMessage', activityType: 'typing', from: me(c), to: [], info: {} });
        return;
      case 'end':
      case 'cancel':
        if (ended) return;
        finish('visitor');
        if (c) sendEnd(c);
        return;
      case 'transcript':
        return void transcript(command.format, command.email);
      default:
        return error('unsupported', 'transport.unsupported');
    }
  }

  return {
    capabilities,
    connect(s) {
      sink = s;
      emit({ type: 'connection', state: 'connecting' });
      emit({ type: 'config', config });
      if (!server) return error('bad-config', 'transport.badOption', true);
      const url = new URL(server);
      // A path in data-server is where the chat server is mounted, not a socket.io namespace.
      const sock = (deps.io ?? io)(url.origin, {
        path: `${url.pathname.replace(/\/$/, '')}/socket.io`,
        // The shared policy (core/backoff.ts) as far as socket.io allows: capped at 30 s,
        // jittered ±50 %, never giving up; onWake below makes a waiting try immediate.
        // Stalls are socket.io's own: a missed server ping closes within pingInterval + pingTimeout.
        reconnectionDelayMax: 30_000,
        randomizationFactor: 0.5,
      });
      unwake = onWake(() => {
        if (closed || sock.connected) return;
        // Restarting the manager skips the rest of its current backoff wait.
        sock.disconnect();
        sock.connect();
      });
      socket = sock;
      sock.on('connect', () => {
        emit({ type: 'connection', state: 'open' });
        join();
      });
      sock.on('disconnect', (reason: string) => {
        joined = false;
        // What was on the wire may be lost: a resend from the core may go out again, but
        // only after the rejoin's history shows whether the server has it.
        epoch++;
        if (closed) return;
        emit({ type: 'connection', state: 'reconnecting', reason });
        // socket.io does not reconnect by itself after a server-side disconnect.
        if (reason === 'io server disconnect') sock.connect();
      });
      sock.io.on('reconnect_attempt', (attempt: number) => emit({ type: 'connection', state: 'reconnecting', attempt }));
      sock.on('messageArrived', onArrived);
      sock.on('conversationInfo', onInfo);
    },
    send(command) {
      try {
        send(command);
      } catch (err) {
        console.warn('Confab: command failed', err);
        error('unsupported', 'transport.unsupported');
      }
    },
    close() {
      if (closed) return;
      emit({ type: 'connection', state: 'closed', reason: 'closed' });
      closed = true;
      unwake();
      clock.clearTimeout(joinTimer);
      clock.clearTimeout(typingTimer);
      socket?.disconnect();
    },
  };
}

export const createTransport: TransportFactory = (options) => createExpertFlowTransport(options);
