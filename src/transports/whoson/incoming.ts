/**
 * WhosOn frames in (decode.ts turns them into WhosOnEvents at the edge) → Confab events.
 *
 * - An event we do not know is ignored, with one log line per event name (a newer server must
 *   not break us); a malformed frame is a non-fatal `bad-frame` error (transport-kit).
 * - An `error` answering a fresh Connect is fatal: the server closes, and we do not reconnect
 *   (repeated invalid attempts get the visitor's IP blacklisted). One answering a re-attach
 *   ends the chat, and a fresh Connect follows (transport.ts's header).
 * - Echoes: linev (visitor echo) carries no client id: the ledger (core/delivery.ts) matches
 *   it to the oldest line in doubt with the same text and gives it that client id. Its Content
 *   is HTML like any line's ("Content can contain HTML", and the server may encode what the
 *   visitor typed, `3 &lt; 5`): the same text means equal once whitespace is normalised, either
 *   as it came or as the text the HTML reads as. It is shown as text, never as HTML. The
 *   document shows echoes for a running chat only, and a server may hold them until an
 *   operator joins, so there is no watchdog here: a line without an echo is marked not
 *   delivered, with Retry, by the session's outbox, and liveness comes from the socket itself.
 * - Unknown newline classes are shown as system lines (sanitized HTML), so nothing the server
 *   says is lost. DynamicField's "new chat line" is not specified; it arrives that way.
 * - GetOperators (sent on connect) tells whether anybody is Online before the visitor commits:
 *   a second `config` carries `agentsAvailable` (availability.ts). The list is kept in `operators`.
 * - The final waiting line, or a notaccepted after the chat was accepted (a queue timing
 *   out), ends the chat: we send Quit (the document: "you should end the chat … send the Quit
 *   command") so it stops showing as waiting, and ignore whatever that chat sends afterwards
 *   (an operator picking it up in the meantime must not reopen a chat the visitor was told
 *   is over).
 * - PostChatSurvey is acked by the server's `acknowledged`.
 */
import { MAX_WARNINGS } from '../../core/transport-kit';
import { t } from '../../core/i18n';
import { safeUrl } from '../../core/urls';
import { htmlToText } from '../../core/html-text';
import { authorOf, decodeFrame, queuePosition, type WhosOnEvent } from './decode';
import * as wire from './encode';
import { languageField } from './language';
import { operatorsAvailable } from './availability';
import type { WhosOnTransport } from './transport';

export type Phase = 'idle' | 'ready' | 'starting' | 'waiting' | 'chatting' | 'ended' | 'offline';

export const isActive = (p: Phase) => p === 'starting' || p === 'waiting' || p === 'chatting';

/** Events about the chat itself: ignored once we have quit it (see the top comment). */
const CHAT_EVENTS: ReadonlySet<WhosOnEvent['kind']> = new Set<WhosOnEvent['kind']>([
  'accepted', 'notaccepted', 'newline', 'operatorjoined', 'typing', 'queue', 'requestfile', 'requestfield', 'quit',
]);

export function receive(w: WhosOnTransport, data: unknown): void {
  const ev = decodeFrame(data);
  if (ev.kind === 'unknown') {
    // One line per event name (a newer server must not flood the log either).
    if (!w.unknownLogged.has(ev.name) && w.unknownLogged.size < MAX_WARNINGS) {
      w.unknownLogged.add(ev.name);
      w.kit.log(`ignored an unknown event "${ev.name}"`);
    }
    return;
  }
  if (ev.kind === 'malformed') return w.kit.badFrame('frame', ev.reason.slice(0, 200));
  handle(w, ev);
}

/** One decoded event. */
function handle(w: WhosOnTransport, ev: WhosOnEvent): void {
  if (w.quitSent && CHAT_EVENTS.has(ev.kind)) return;
  switch (ev.kind) {
    case 'connected': {
      const first = !w.config;
      const asked = w.reattaching;
      w.reattaching = '';
      w.sessionId = ev.sessionId;
      if (ev.domain) w.domain = ev.domain;
      w.webServices = ev.webServicesUrl;
      w.translation = ev.translation;
      w.retry.reset();
      // A connected for another chat (or none) did not re-attach ours: the chat is over.
      // The session then fails the lines still waiting instead of sending them into a
      // WhosOn session that has no chat.
      const reattached = !!asked && ev.chatUid === asked;
      if (asked && !reattached) w.chatLost();
      else if (isActive(w.phase) && !asked) w.chatLost();
      if (!isActive(w.phase) && ev.chatUid) w.connectUid = ev.chatUid;
      w.reopening = reattached;
      try {
        w.kit.emit({ type: 'connection', state: 'open' });
      } finally {
        w.reopening = false;
      }
      if (first) {
        const language = languageField(ev.config, w.translation, w.o.locale);
        if (language) w.languageNames = language.codes;
        const config = language ? { ...ev.config, prechat: [language.field, ...ev.config.prechat] } : ev.config;
        w.config = config;
        w.booleans = new Set([...config.prechat, ...config.postchat].filter((f) => f.type === 'boolean').map((f) => f.name));
        if (w.phase === 'idle') w.phase = 'ready';
        w.kit.emit({ type: 'config', config });
        w.write(wire.getOperators(w.sessionId, w.domain));
        w.write(wire.getImage(w.sessionId, w.domain, 5));
      }
      return;
    }
    case 'error':
      if (!w.sessionId && w.reattaching) {
        // The re-attach was refused (the server closes after a Connect error): the chat
        // ends, and the next try is a fresh Connect.
        w.kit.log(`the chat could not be re-attached (${ev.message.slice(0, 200)})`);
        w.chatLost(true);
        const s = w.socket;
        s?.close();
        return;
      }
      if (!w.sessionId) return w.fail(ev.message || t('transport.refused'), 'refused');
      return w.error('server', ev.message || t('transport.refused'));
    case 'accepted':
      if (ev.chatUid) w.chatUid = ev.chatUid;
      w.phase = 'waiting';
      return w.kit.emit({ type: 'accepted', chatId: w.chatUid });
    case 'notaccepted': {
      if (ev.chatUid) w.chatUid = ev.chatUid;
      // After accepted, this is a queue timing out: the document says to end the chat.
      if (w.phase === 'waiting') w.quitAbandoned();
      w.phase = 'offline';
      // Data is "the message to display or a forwarding URL".
      const url = /^https?:\/\/\S+$/i.test(ev.text.trim()) ? safeUrl(ev.text.trim(), 'link') : null;
      return w.kit.emit(url
        ? { type: 'rejected', reason: t('transport.forwarded'), forwardingUrl: url }
        : { type: 'rejected', reason: htmlToText(ev.text) });
    }
    case 'newline':
      return newline(w, ev.classes, ev.content);
    case 'operatorjoined':
      w.phase = 'chatting';
      w.agentIsBot = ev.operator.isBot;
      return w.kit.emit({ type: 'agent', action: 'joined', agent: { name: ev.operator.name, isBot: ev.operator.isBot } });
    case 'typing':
      return w.kit.typing(ev.on);
    case 'queue':
      return w.kit.emit({ type: 'queue', position: ev.position });
    case 'requestfile':
      return w.kit.emit({ type: 'file-request', allowedTypes: ev.types });
    case 'requestfield':
      if (ev.field.type === 'boolean') w.booleans.add(ev.field.name);
      return w.kit.emit({
        type: 'form',
        form: { id: `${w.chatUid}-field-${++w.promptNo}`, header: ev.field.label, field: ev.field },
      });
    case 'quit':
      if (w.phase === 'ended') return;
      // The operator ends a chat they took; before anyone took it, it is the server.
      w.kit.emit({ type: 'ended', by: w.phase === 'chatting' ? 'agent' : 'system' });
      w.phase = 'ended';
      return;
    case 'acknowledged':
      return w.kit.emit({ type: 'ack', what: 'postchat' });
    case 'operators':
      w.operators = ev.operators;
      // Before the visitor commits, the config says again whether anybody is there (availability.ts).
      if (w.config && w.phase === 'ready') w.kit.emit({ type: 'config', config: { ...w.config, agentsAvailable: operatorsAvailable(ev.operators) } });
      return;
    case 'image':
      if (ev.url && (ev.imageType === 5 || ev.imageType === 8)) w.kit.emit({ type: 'image', role: 'logo', url: ev.url });
      return;
    default:
      return; // unknown events: a newer server, nothing for us to do
  }
}

function newline(w: WhosOnTransport, classes: string[], content: string): void {
  const has = (c: string) => classes.includes(c);
  const id = `${w.chatUid || w.sessionId}-${++w.line}`;
  if (has('linesays')) {
    w.author = authorOf(content);
    return;
  }
  const author = w.author;
  w.author = '';
  if (has('pagingmessage')) return w.kit.emit({ type: 'waiting', kind: 'paging', text: htmlToText(content) });
  if (has('linewaiting1') || has('linewaiting2')) {
    return w.kit.emit({ type: 'waiting', kind: 'waiting', text: htmlToText(content) });
  }
  if (has('final')) {
    // Only a chat still waiting for an operator can be given up (the session goes offline
    // on it then); a final line in a running chat is shown as before and changes nothing.
    if (w.phase === 'starting' || w.phase === 'waiting') {
      w.quitAbandoned();
      w.phase = 'offline';
    }
    return w.kit.emit({ type: 'waiting', kind: 'final', text: htmlToText(content) });
  }
  if (has('queuemessage')) {
    const q = queuePosition(content);
    w.kit.emit({ type: 'waiting', kind: 'queue', text: htmlToText(content) });
    if (q) w.kit.emit({ type: 'queue', position: q.position, total: q.total });
    return;
  }
  // The server's record of a requested field's answer ("OrderNumber: 12345"): the form item
  // already shows that answer under its question, so this copy (with the internal field name)
  // is not shown a second time (issue 25 item 10).
  if (has('linefield')) return;
  const named = author ? { authorName: author } : {};
  if (has('linev')) {
    const read = htmlToText(content);
    const echoed = w.lines.claim({ id, text: [content, read] });
    if (!echoed && w.lines.inDoubt().length && !w.unmatchedLogged) {
      w.unmatchedLogged = true;
      w.kit.log('a visitor echo matched no pending line (shown as a line of its own)');
    }
    return w.kit.emit({
      type: 'message',
      message: { id, sender: 'visitor', text: echoed?.text ?? read, ...named, ...(echoed ? { clientId: echoed.clientId } : {}) },
    });
  }
  const sender = w.agentIsBot ? 'bot' : 'agent';
  if (has('linet')) {
    return w.kit.emit({
      type: 'message',
      message: { id, sender, html: content, ...named, ...(w.lastAgentLine ? { translationOf: w.lastAgentLine } : {}) },
    });
  }
  if (has('lineo')) {
    w.lastAgentLine = id;
    return w.kit.emit({ type: 'message', message: { id, sender, html: content, ...named } });
  }
  w.kit.emit({ type: 'message', message: { id, sender: 'system', html: content } });
}
