/**
 * ExpertFlow CX (today's ExpertFlow platform; Hybrid Chat 3.x is `expertflow`): REST for the
 * widget configuration, the pre-chat form and uploads, socket.io 4 for the chat, messages in
 * ExpertFlow's CIM schema (decoded in cim.ts). socket.io-client is imported here and in the
 * 3.x transport only, so it stays in its own chunk.
 *
 * Sources (GitHub, ExpertFlow's own customer-side code):
 *   E3 expertflow/customer-js-sdk src/index.ts (develop)      E4 expertflow/sdk-for-customer-facing-channels index.js (3.0.0)
 *   E5 expertflow/chat-app web-widget/index.js, init_widget.js
 *   W  ExpertFlow's Angular customer widget, widget.component.ts (found by code search, repository
 *      unnamed): the newest client, and the only one showing CONVERSATION_RESUMED and a replaced socket.
 *
 * Protocol decisions, each with its source:
 * - REST: the widget configuration and pre-chat form (config.ts). `data-ccm-url` /
 *   `data-file-server-url` default to the origin of `data-server`, as E4's README samples all
 *   point at one host.
 * - Socket: `io(origin, {path: <path of data-server>/socket.io, auth: {serviceIdentifier,
 *   channelCustomerIdentifier}})` (E3/E4 establishConnection), opened when the visitor starts, or at
 *   once when a page change brings back a chat (W opens it on submit, and on load for a stored chat).
 * - channelCustomerIdentifier: the pre-chat answer named by `data-identifier-field` (default `phone`,
 *   E4 README's `channel_identifier`; W reads the same configured field from the form); else the email;
 *   else our stable visitor id, as E5 falls back to the browser's analytics cookie.
 * - Start: on connect, `CHAT_REQUESTED {channelCustomerIdentifier, serviceIdentifier,
 *   additionalAttributes: [{key: 'WebChannelData', type: 'WebChannelData', value: {browserDeviceInfo,
 *   queue, locale, formData}}]}` (E3 chatRequest); formData `{id, formId, filledBy, attributes: [{key,
 *   value, type}], createdOn}` (W getFormDataByPreChatForm, E5). `CHANNEL_SESSION_STARTED` carries
 *   `header.conversationId` (E4, W): the chat is accepted.
 * - Lines out: `MESSAGE_RECEIVED` `{type, header: {sender, ...}, body: {type: 'PLAIN', markdownText},
 *   customer, timestamp: ''}` with an ack `{code}`, 200 = taken (E3 sendMessage, W constructCimMessage).
 *   The server echoes the customer's own lines (W shows them only from MESSAGE_RECEIVED); the echo is
 *   matched to the line by its text (the SDKs send no client id). Lines wait for the socket and go
 *   out once each per connection; a non-200 ack is an `error`, and the core may resend.
 * - Buttons: a choice is a PLAIN line with the button's title, `header.intent` its payload without the
 *   leading '/', JSON entities split off, `originalMessageId` the prompt (W sendButtonMessage,
 *   transformPayload); a carousel card's button adds `additionalData.carousalCardId` (W).
 * - Files: `POST {fileServer}/api/uploadFileStream` multipart `file` + `conversationId` (E3/E4
 *   uploadToFileEngine; W), answer `{name, type, size}`; then an IMAGE / VIDEO / AUDIO line
 *   (caption = name) or FILE (`additionalDetails.fileName`) with `attachment {mediaUrl:
 *   {fileServer}/api/downloadFileStream?filename=…, type, size, extType, mimeType}` (W).
 * - Typing: out, NOTIFICATION `TYPING_STARTED` at most every 3 s (W sendTypingStartedEvent); in, the
 *   same from an agent or bot, shown 5 s or until their next line (W showTypingIndicator). CX has no
 *   "stopped typing".
 * - Agent join / leave: NOTIFICATION with `notificationData.data.{agentParticipant|
 *   conversationParticipant}.participant.keycloakUser` (W); the first line of a new agent also joins it.
 * - End: out, `CHAT_ENDED` with the customer data (E3 chatEnd, W clearSession), then the socket
 *   closes; in, `CHAT_ENDED` (E3: the SDK disconnects), `CHANNEL_SESSION_ENDED` (agent or system) and
 *   `CHANNEL_SESSION_EXPIRED` (timeout) (E4, W).
 * - Resume, both generations: every later connect emits `CHAT_RESUMED {serviceIdentifier,
 *   channelCustomerIdentifier}`, ack `{isChatAvailable, data: history}` (E3/E4 resumeChat, W); newer
 *   servers send `CONVERSATION_RESUMED {history}` (W). Either history is replayed (the core drops
 *   lines it has); `isChatAvailable: false` ends the chat as lost. Lines written meanwhile wait for
 *   the answer (or 3 s, for a server that never answers) so that the history can show which the
 *   server already has.
 * - Newer servers only (INFERRED, no public SDK source shows their payloads): `TOKEN_GENERATED` gives a
 *   JWT (a string, or `{token}` / `{accessToken}`), sent as `Authorization: Bearer` on later REST
 *   calls (uploads); `SESSION_REPLACED` (W: SOCKET_REPLACED) means another tab took the chat: this tab
 *   stops and says so (`kicked`), and reloading takes it back with CHAT_RESUMED.
 * - `ERRORS {task, code}`: for CHAT_REQUESTED the start failed (W alerts 400/408/500): Retry; other
 *   tasks are non-fatal errors.
 * - `connect_error` (the 3.x lesson): each one is `reconnecting`; a refusal by the server's
 *   middleware (socket.io stops retrying) is fatal; five failures in a row (W's maxAttempts) also
 *   report that the server cannot be reached, while retries go on.
 * - 'io server disconnect': W shows its end screen; we reconnect and let CHAT_RESUMED decide.
 * - In: a DELIVERYNOTIFICATION `FAILED` for a customer line is an error (W); an edit (`intent`
 *   UPDATE) keeps the id of the line it edits (W editMessage).
 * - Not done: read receipts out (W's DELIVERYNOTIFICATION READ), FORM_DATA messages, VOICE_REQUESTED.
 */
import { io, type ManagerOptions, type Socket, type SocketOptions } from 'socket.io-client';
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
import { t, type MessageKey } from '../../core/i18n';
import { safeUrl } from '../../core/urls';
import { decodeCim, obj, str, type Cim } from './cim';
import { emptyConfig, loadConfig } from './config';
import { buttonIntent, cimOut, lineBody, type Upload } from './outgoing';
import { createLedger, echoOf, type Line } from '../../core/delivery';

export interface CxDeps {
  io?: (uri: string, opts: Partial<ManagerOptions & SocketOptions>) => Socket;
  fetch?: typeof fetch;
}

const TYPING_IN_MS = 5000;
const TYPING_OUT_MS = 3000;
const UNREACHABLE_AFTER = 5;
/** A server that never answers CHAT_RESUMED: after this the lines waiting go out anyway. */
const RESUME_GRACE_MS = 3000;



const base = (url: string | null | undefined): string | null => safeUrl(url, 'media')?.replace(/\/+$/, '') ?? null;

export function createCxTransport(o: TransportOptions, deps: CxDeps = {}): Transport {
  const kit = createKit({ vendor: 'expertflow-cx', clock: o.clock, agentTypingMs: TYPING_IN_MS });
  const { clock, emit, log } = kit;
  const opt = o.options;
  const server = base(opt.server);
  const origin = server && new URL(server).origin;
  const ccm = base(opt.ccmUrl) ?? origin;
  const fileServer = base(opt.fileServerUrl) ?? origin;
  const serviceIdentifier = opt.serviceIdentifier ?? '';
  const doFetch = deps.fetch ?? ((...a: Parameters<typeof fetch>) => fetch(...a));
  const r = obj(o.resume);
  const capabilities = new Set<Capability>(['typing', 'end', 'cancel', 'resume']);

  let socket: Socket | undefined;
  let cid = str(r?.cid) ?? '';
  let conversationId = str(r?.conv) ?? '';
  let ended = r?.ended === true;
  // Whether CHAT_REQUESTED went out (later connects resume instead).
  let requested = !!cid;
  let customer: Record<string, Json> = obj(r?.customer) ? (r!.customer as Record<string, Json>) : {};
  let visitorName = str(r?.name) ?? '';
  // This connection has been told which chat it carries (started, or resumed): lines may go.
  let ready = false;
  let replaced = false;
  let failures = 0;
  let jwt = '';
  let formId = '';
  let byeTimer: unknown;
  let graceTimer: unknown;
  let lastTypingOut = -Infinity;
  let unwake = (): void => undefined;
  const agents = new Set<string>();
  /** Visitor lines on the wire (core/delivery.ts); `acked`: the server took it, never send it again. */
  const lines = createLedger<Upload>();

  const error = (code: string, key: MessageKey, fatal = false, retryable = false): void =>
    emit({ type: 'error', code, message: t(key, { name: 'data-server' }), fatal, retryable });
  const saveResume = (): void =>
    emit({ type: 'resume', token: ended ? (conversationId ? { conv: conversationId, ended } : null) : { cid, conv: conversationId, customer, name: visitorName } });

  function finish(by: EndedBy, text?: string): void {
    if (ended) return;
    ended = true;
    kit.typing(false);
    emit(text ? { type: 'ended', by, text } : { type: 'ended', by });
    saveResume();
    // After the visitor's CHAT_ENDED the socket stays until the server answers (E3 disconnects
    // on its CHAT_ENDED): closing at once can lose the frame.
    if (by === 'visitor' && socket?.connected) byeTimer = clock.setTimeout(() => socket?.disconnect(), 3000);
    else socket?.disconnect();
  }

  function agentJoined(name: string, isBot: boolean): void {
    if (agents.has(name)) return;
    agents.add(name);
    emit({ type: 'agent', action: 'joined', agent: { name, isBot } });
  }

  function visitorEcho(m: IncomingMessage, fileName?: string): void {
    const hit = lines.claim({ id: m.id, text: fileName ?? m.text ?? '', file: fileName !== undefined });
    if (hit) m.clientId = hit.clientId;
    emit({ type: 'message', message: m });
  }

  function onCim(c: Cim, history: boolean): void {
    if (c.conversationId && conversationId && c.conversationId !== conversationId) return;
    const who = c.sender === 'CUSTOMER' ? 'visitor' : c.sender === 'AGENT' ? 'agent' : c.sender === 'BOT' ? 'bot' : 'system';
    const line = (text: string, extra: Partial<IncomingMessage> = {}): IncomingMessage => {
      // An edit (intent UPDATE, W editMessage) carries the id of the line it edits, so it is never a
      // second line; the core keeps the first version until the contract carries message updates.
      const m: IncomingMessage = { id: c.update && c.originalId ? c.originalId : c.id, sender: who, text, ...extra };
      if (c.senderName && who !== 'visitor') m.authorName = c.senderName;
      if (c.sentAt !== undefined) m.sentAt = c.sentAt;
      return m;
    };
    if ((who === 'agent' || who === 'bot') && c.kind !== 'participant' && c.kind !== 'receipt') {
      if (c.kind === 'typing') {
        if (!history && !ended) kit.typing(true);
        return;
      }
      kit.typing(false);
      if (c.senderName) agentJoined(c.senderName, who === 'bot');
    }
    switch (c.kind) {
      case 'text':
      case 'other':
        if (!c.text) return;
        return who === 'visitor' ? visitorEcho(line(c.text)) : emit({ type: 'message', message: line(c.text) });
      case 'media':
        if (who === 'visitor') return visitorEcho(line(c.text, { attachments: [c.attachment] }), c.attachment.name);
        return emit({ type: 'message', message: line(c.text, { attachments: [c.attachment] }) });
      case 'buttons':
        return emit({
          type: 'branch',
          branch: { id: c.id, header: c.text, options: c.buttons.map((b, i) => ({ id: String(i), label: b.title })) },
        });
      case 'carousel':
        if (c.text) emit({ type: 'message', message: line(c.text) });
        for (const card of c.cards) {
          const body: ConfabEventBody = { type: 'card', id: `${c.id}:${card.id}`, sender: who, card: { title: card.title } };
          if (card.text) body.card.description = card.text;
          if (card.image) body.card.image = card.image;
          emit(body);
          if (card.buttons.length)
            emit({
              type: 'branch',
              branch: { id: `${c.id}|${card.id}`, header: card.title, options: card.buttons.map((b, i) => ({ id: String(i), label: b.title })) },
            });
        }
        return;
      case 'participant':
        if (c.joined) return agentJoined(c.name, c.isBot);
        if (agents.delete(c.name)) emit({ type: 'agent', action: 'left', agent: { name: c.name, isBot: c.isBot } });
        return;
      case 'receipt':
        if (c.status === 'FAILED' && !history) error('send-failed', 'error.sendFailed');
        return;
    }
  }

  /** Buttons and cards by prompt id, to answer them as W does. */
  const prompts = new Map<string, { buttons: { title: string; payload: string }[]; messageId: string; cardId?: string }>();

  function onMessage(raw: unknown, history = false): void {
    const c = decodeCim(raw);
    if (!c) return kit.badFrame('message', raw);
    if (c.kind === 'buttons') prompts.set(c.id, { buttons: c.buttons, messageId: c.id });
    if (c.kind === 'carousel')
      for (const card of c.cards) prompts.set(`${c.id}|${card.id}`, { buttons: card.buttons, messageId: c.id, cardId: card.id });
    onCim(c, history);
  }

  function replay(history: unknown): void {
    if (!Array.isArray(history)) return;
    for (const m of history.slice(-500)) {
      const c = obj(obj(m)?.header);
      if (!conversationId && str(c?.conversationId)) conversationId = str(c?.conversationId)!;
      onMessage(m, true);
    }
  }

  const sender = () => ({ id: cid, type: 'CUSTOMER', senderName: visitorName, additionalDetail: null });

  const out = (body: Record<string, Json>, header?: Record<string, Json>) => cimOut(body, sender(), customer, header);

  function emitOut(payload: Record<string, Json>, onAck?: (ok: boolean) => void): void {
    socket?.emit('MESSAGE_RECEIVED', payload, (res: unknown) => {
      const ok = obj(res)?.code === 200;
      // A typing notice that did not go through is not worth a word to the visitor.
      if (!ok && onAck) error('send-failed', 'error.sendFailed');
      onAck?.(ok);
    });
  }

  function sendPending(p: Line<Upload>): void {
    lines.wrote(p);
    emitOut(out(lineBody(p.text, p.meta)), (ok) => {
      // Refused: the core's resend (or the next connection) may try again.
      if (ok) p.acked = true;
      else if (lines.get(p.clientId) === p) p.wire = 0;
    });
  }

  function flush(): void {
    if (!socket?.connected || !ready || !conversationId || ended) return;
    for (const p of lines.inDoubt()) if (!p.acked && p.wire !== lines.conn) sendPending(p);
  }

  function open(): void {
    if (socket || !server || kit.closed) return;
    const url = new URL(server);
    emit({ type: 'connection', state: 'connecting' });
    const sock = (deps.io ?? io)(url.origin, {
      path: `${url.pathname.replace(/\/$/, '')}/socket.io`,
      auth: { serviceIdentifier, channelCustomerIdentifier: cid },
      reconnectionDelayMax: 30_000,
      randomizationFactor: 0.5,
    });
    socket = sock;
    unwake = onWake(() => {
      if (kit.closed || sock.connected || replaced || ended) return;
      sock.disconnect();
      sock.connect();
    });
    sock.on('connect', () => {
      lines.reconnected();
      failures = 0;
      ready = false;
      emit({ type: 'connection', state: 'open' });
      if (!requested) return request();
      const resumed = (): void => {
        clock.clearTimeout(graceTimer);
        ready = true;
        flush();
      };
      graceTimer = clock.setTimeout(resumed, RESUME_GRACE_MS);
      sock.emit('CHAT_RESUMED', { serviceIdentifier, channelCustomerIdentifier: cid }, (res: unknown) => {
        const a = obj(res);
        if (!a || typeof a.isChatAvailable !== 'boolean') kit.badFrame('CHAT_RESUMED answer', res);
        else if (!a.isChatAvailable) return lost();
        else replay(a.data);
        resumed();
      });
    });
    sock.on('connect_error', (err: Error) => {
      if (kit.closed) return;
      // A refusal by the server's middleware: socket.io gives up, and so do we.
      if (!sock.active) return error('refused', 'transport.refused', true);
      emit({ type: 'connection', state: 'reconnecting', reason: err.message });
      if (++failures === UNREACHABLE_AFTER) error('unreachable', 'transport.notConnected');
    });
    sock.on('disconnect', (reason: string) => {
      if (kit.closed || ended || replaced) return;
      emit({ type: 'connection', state: 'reconnecting', reason });
      if (reason === 'io server disconnect') sock.connect();
    });
    sock.io.on('reconnect_attempt', (attempt: number) => emit({ type: 'connection', state: 'reconnecting', attempt }));
    sock.on('CHANNEL_SESSION_STARTED', (raw: unknown) => {
      const id = str(obj(obj(raw)?.header)?.conversationId);
      if (!id) return kit.badFrame('CHANNEL_SESSION_STARTED', raw);
      if (conversationId === id) return void (ready = true);
      conversationId = id;
      ready = true;
      emit({ type: 'accepted', chatId: id });
      saveResume();
      flush();
    });
    sock.on('CONVERSATION_RESUMED', (raw: unknown) => {
      replay(obj(raw)?.history);
      ready = true;
      flush();
    });
    sock.on('MESSAGE_RECEIVED', (raw: unknown) => onMessage(raw));
    sock.on('CHAT_ENDED', () => {
      if (ended) return void sock.disconnect();
      finish(agents.size ? 'agent' : 'system');
    });
    sock.on('CHANNEL_SESSION_ENDED', () => finish(agents.size ? 'agent' : 'system'));
    sock.on('CHANNEL_SESSION_EXPIRED', () => finish('timeout'));
    sock.on('ERRORS', (raw: unknown) => {
      const e = obj(raw);
      if (str(e?.task)?.toUpperCase() === 'CHAT_REQUESTED' && !conversationId) {
        // The request did not go through: a Retry asks again on the same socket.
        requested = false;
        return error('start-failed', 'error.startFailed', false, true);
      }
      error('server-error', 'error.notAllowed');
    });
    sock.on('TOKEN_GENERATED', (raw: unknown) => {
      const token = typeof raw === 'string' ? raw : (str(obj(raw)?.token) ?? str(obj(raw)?.accessToken));
      if (token && /^[\w.+/=-]{1,4096}$/.test(token)) jwt = token;
      else kit.badFrame('TOKEN_GENERATED', raw);
    });
    sock.on('SESSION_REPLACED', () => {
      replaced = true;
      kit.typing(false);
      sock.disconnect();
      error('kicked', 'error.otherTab');
    });
  }

  function request(): void {
    requested = true;
    socket?.emit('CHAT_REQUESTED', {
      channelCustomerIdentifier: cid,
      serviceIdentifier,
      additionalAttributes: [{ key: 'WebChannelData', type: 'WebChannelData', value: customer }],
    });
  }

  function lost(): void {
    finish('system', t('transport.chatLost'));
  }

  function start(visitor: Record<string, string | undefined>, answers: Record<string, string>, site: Readonly<Record<string, string>> = {}): void {
    // A start while a chat runs is a double click; after ERRORS refused the request, a Retry.
    if (socket && !ended && (requested || conversationId)) return;
    if (!server || !serviceIdentifier) return error('bad-config', 'transport.badOption', true);
    const field = opt.identifierField || 'phone';
    cid = (answers[field] || visitor[field] || answers.email || visitor.email || o.visitorId).trim().slice(0, 200);
    visitorName = (answers.name || visitor.name || '').slice(0, 200);
    customer = {
      serviceIdentifier,
      channelCustomerIdentifier: cid,
      // W sends null for what it does not know (it reads these from a geo-IP service).
      browserDeviceInfo: { browserId: o.visitorId, browserIdExpiryTime: null, browserName: null, deviceType: 'desktop' },
      queue: opt.queue ?? '',
      locale: { timezone: Intl.DateTimeFormat().resolvedOptions().timeZone ?? null, language: o.locale, country: null },
      formData: {
        id: String(clock.now()),
        formId,
        filledBy: 'web-widget',
        // The site's attributes (update) beside the form's answers: the formData attributes are the
        // key-value pairs the agent sees (E4 README, customer data payload); an answer wins a clash.
        attributes: Object.entries({ ...site, ...answers }).map(([key, value]) => ({ key, value, type: 'string' })),
        createdOn: new Date(clock.now()).toISOString(),
      },
    };
    ended = false;
    requested = false;
    conversationId = '';
    agents.clear();
    lines.clear();
    saveResume();
    // A Retry after ERRORS: the socket is still open.
    if (socket?.connected) request();
    else {
      // A new chat after an ended one: a new socket (the old one is closed for good).
      unwake();
      socket?.disconnect();
      socket = undefined;
      open();
    }
  }

  async function upload(clientId: string, file: Blob, name: string): Promise<void> {
    if (!fileServer) return error('upload-failed', 'transport.uploadFailed');
    const fd = new FormData();
    fd.append('file', file, name);
    fd.append('conversationId', conversationId);
    try {
      const res = await doFetch(`${fileServer}/api/uploadFileStream`, {
        method: 'POST',
        body: fd,
        headers: jwt ? { authorization: `Bearer ${jwt}` } : {},
      });
      const a = obj(res.ok ? await res.json().catch(() => null) : null);
      const stored = str(a?.name);
      if (!a || !stored) throw new Error(String(res.status));
      const mime = (str(a.type) ?? file.type) || 'application/octet-stream';
      const size = typeof a.size === 'number' ? a.size : file.size;
      const url = `${fileServer}/api/downloadFileStream?filename=${encodeURIComponent(stored)}`;
      lines.forget(clientId);
      lines.add(clientId, stored, clock.now(), { mime, size, url }, true);
      flush();
    } catch (err) {
      log('upload failed', err);
      error('upload-failed', 'transport.uploadFailed');
    }
  }

  function choose(promptId: string, optionId: string, label: string): void {
    const p = prompts.get(promptId);
    const b = p?.buttons[Number(optionId)];
    if (!p || !b || !socket?.connected) return error('unsupported', 'transport.notConnected');
    const [intent, entities] = buttonIntent(b.payload);
    const header: Record<string, Json> = { originalMessageId: p.messageId, intent, entities, additionalData: { carousalCardId: p.cardId ?? null } };
    emitOut(out({ type: 'PLAIN', markdownText: capText(label) }, header));
  }

  function send(command: Command): void {
    switch (command.type) {
      case 'start':
        return start(command.visitor, command.answers, command.attributes);
      case 'send': {
        const known = lines.get(command.clientId);
        if (known?.id !== undefined) return emit({ type: 'message', message: echoOf(known) });
        if (known && (known.acked || (known.wire === lines.conn && socket?.connected))) return;
        known ?? lines.add(command.clientId, command.text, clock.now(), undefined);
        return flush();
      }
      case 'send-file':
        if (!capabilities.has('file')) return error('unsupported', 'transport.unsupported');
        return void upload(command.clientId, command.file, command.name);
      case 'typing': {
        const now = clock.now();
        if (!command.on || !socket?.connected || !ready || !conversationId || ended || now - lastTypingOut < TYPING_OUT_MS) return;
        lastTypingOut = now;
        return emitOut(out({ type: 'NOTIFICATION', markdownText: '', notificationType: 'TYPING_STARTED' }));
      }
      case 'choose':
        return choose(command.promptId, command.optionId, command.label);
      case 'end':
      case 'cancel':
        if (ended) return;
        if (socket?.connected) socket.emit('CHAT_ENDED', customer);
        return finish('visitor');
      default:
        return error('unsupported', 'transport.unsupported');
    }
  }

  return {
    capabilities,
    connect(s) {
      kit.connect(s);
      emit({ type: 'connection', state: 'connecting' });
      if (!server || !serviceIdentifier) return error('bad-config', 'transport.badOption', true);
      void loadConfig(ccm, opt.widgetIdentifier, doFetch, clock, capabilities)
        .catch((err: unknown): [ChatConfig, string] => {
          // Without its configuration the chat still works: no form, no uploads.
          log('no widget configuration', err);
          error('config-failed', 'error.load');
          return [emptyConfig(), ''];
        })
        .then(([config, form]) => {
          formId = form;
          emit({ type: 'config', config });
          // The socket opens at the start; a chat brought back by a page change reopens it now.
          if (cid && !ended) open();
          else emit({ type: 'connection', state: 'open' });
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
      clock.clearTimeout(byeTimer);
      clock.clearTimeout(graceTimer);
      socket?.disconnect();
    },
  };
}

export const createTransport: TransportFactory = (options) => createCxTransport(options);
