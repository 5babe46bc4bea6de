/**
 * Desk message → Confab events: a pure function, unit-tested against the desk document's
 * own examples. The transport does the I/O, the de-duplication and the state it feeds in.
 *
 * Choices where the document is loose (held against Tencent's customer-service plugin 2.2.6 in test/tencent/differential.test.ts):
 * - A custom message counts as the desk's when `customerServicePlugin` is 0 (number or
 *   string) or `chatbotPlugin` is 1; `src` may come as a string or a number.
 * - Branch and form options are identified by their `content`, because the desk matches the
 *   visitor's text to it exactly; `selected.content` therefore names the chosen option.
 * - A rating is identified by its `sessionId`, else the message ID; src 10 echoes the
 *   `sessionId`, or '' when the desk sent none (the web kit's message-rating-star.vue), never
 *   our ID. `selected` counts only when its id matches a menu entry (the web kit's `==` rule).
 * - Replayed history keeps the end/timeout markers as transcript lines instead of ending the
 *   live session, and drops typing. Each flow message also says what it means for the flow
 *   (`flow`), so the transport can tell from history whether the last flow is still running.
 *
 * The robot's srcs, as Tencent's customer-service plugin 2.2.6 renders them
 * (components/message-customer-service.vue and its children; notes/vendors-in-the-field.md T2):
 * - 29 a robot answer: `content.header || content.title` and `items[].content`, a click sends
 *   the item's text (the strong text match of src 15); `subtype: 'welcome_msg'` is the welcome
 *   list, shown five at a time with a button for the next five (message-robot-welcome.vue).
 * - 30 rich text: `content` is Markdown. Mapped to its source as a partial line; the transport
 *   renders it to HTML (a lazy chunk) and updates the line, the UI sanitizes it as any HTML.
 * - 31 a streamed answer: `chunks[]` joined; more come through MESSAGE_MODIFIED until
 *   `isFinished` is 1. The line is partial while `isFinished` is 0 (TUIKit's own rule: a
 *   message without the field is whole).
 * - 13 robot commands: the plugin hides every src 13 (not in its whitelist; `feedback` and
 *   `updateBotStatus` named explicitly). What one changes for the visitor is who answers:
 *   `updateBotStatus` 'inBot' / 'leaveBot' says the bot joined or left. The rest shows nothing.
 */
import { capText, MAX_OPTIONS, type Agent, type Attachment, type ChoiceOption, type ConfabEventBody, type IncomingMessage, type Sender } from '../../core/contract';
import { t } from '../../core/i18n';
import { safeUrl } from '../../core/urls';
import type { DeskMessage } from './client';

export interface MapContext {
  /** The last seat status (src 26): a human agent ('in') or the bot flow ('out'). */
  seat?: 'in' | 'out';
  /** Server clock minus local clock, ms. */
  serverSkew: number;
  replay?: boolean;
}

/**
 * What a message says about the service flow: `live` for a trigger or the desk's answers to
 * one (7, 23, 26; src 7 itself is online-only and so never in history, but its answers are),
 * or the flow's end (19, 20, 27) and who ended it.
 */
export type FlowMark = 'live' | { ended: 'agent' | 'timeout' | 'visitor' };

export interface MapResult {
  events: ConfabEventBody[];
  /** The seat status this message announces (src 26). */
  seat?: 'in' | 'out';
  /** Who holds that seat (src 26), named by the message's nick: also known on replay. */
  agent?: Agent;
  flow?: FlowMark;
  /** src 30: the line's text is Markdown for the transport to render (then update the line). */
  markdown?: boolean;
  /** src 9: the desk's own `sessionId` (or '' when it sent none), which src 10 must echo. */
  ratingSession?: string;
}

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
// Strings and lists are bounded here: a 1 MB line or a 10,000-item menu is cut, not rendered.
/** A number from a desk field that may be a number or a numeric string; anything else is NaN (never coerced: an object's toString can throw). */
const num = (v: unknown): number => (typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN);
const str = (v: unknown): string => (typeof v === 'string' ? capText(v) : typeof v === 'number' && Number.isFinite(v) ? String(v) : '');
const list = (v: unknown): Obj[] => (Array.isArray(v) ? v.slice(0, MAX_OPTIONS * 4).filter(isObj) : []);
const choices = (items: unknown): ChoiceOption[] =>
  list(items)
    .map((i) => str(i.content))
    .filter((c) => c !== '')
    .slice(0, MAX_OPTIONS)
    .map((c) => ({ id: c, label: c }));
const selectedContent = (content: Obj): string | undefined =>
  isObj(content.selected) ? str(content.selected.content) || undefined : undefined;

const none: MapResult = { events: [] };
/** Tencent's robot welcome list shows five items at a time (message-robot-welcome.vue). */
const WELCOME_PAGE = 5;
/** A streamed answer's chunks: far above a real answer's, bounded like every list. */
const MAX_CHUNKS = 10_000;
const one = (event: ConfabEventBody): MapResult => ({ events: [event] });

export function mapDeskMessage(msg: DeskMessage, ctx: MapContext): MapResult {
  const fromVisitor = msg.flow === 'out';
  const sender: Sender = fromVisitor ? 'visitor' : ctx.seat === 'in' ? 'agent' : 'bot';
  const line: Line = (body) =>
    one({
      type: 'message',
      message: {
        id: msg.ID,
        sender,
        ...(!fromVisitor && msg.nick ? { authorName: msg.nick } : {}),
        ...(typeof msg.time === 'number' && msg.time > 0 ? { sentAt: msg.time * 1000 } : {}),
        ...body,
      },
    });
  const p = msg.payload ?? {};

  switch (msg.type) {
    case 'TIMTextElem':
      return typeof p.text === 'string' ? line({ text: capText(p.text) }) : none;
    case 'TIMImageElem': {
      const infos = Array.isArray(p.imageInfoArray) ? p.imageInfoArray : [];
      const best = infos.find((i) => i.type === 0) ?? infos[0];
      const url = safeUrl(best?.url, 'image');
      return url ? line({ attachments: [{ name: 'image', url, kind: 'image' }] }) : none;
    }
    case 'TIMFileElem': {
      const url = safeUrl(p.fileUrl, 'media');
      const name = str(p.fileName) || 'file';
      const file: Attachment = { name, url: url ?? '', kind: 'file', ...(typeof p.fileSize === 'number' ? { size: p.fileSize } : {}) };
      return url ? line({ attachments: [file] }) : line({ text: name });
    }
    case 'TIMCustomElem':
      return mapCustom(msg, ctx, sender, line);
    default:
      return none;
  }
}

type Line = (body: Omit<IncomingMessage, 'id' | 'sender'>) => MapResult;

function mapCustom(msg: DeskMessage, ctx: MapContext, sender: Sender, line: Line): MapResult {
  let data: unknown;
  try {
    data = JSON.parse(msg.payload?.data ?? '');
  } catch {
    return one({ type: 'error', code: 'bad-frame', message: `Unreadable desk message ${msg.ID}`, fatal: false });
  }
  if (!isObj(data) || (str(data.customerServicePlugin) !== '0' && str(data.chatbotPlugin) !== '1')) return none;
  const content = isObj(data.content) ? data.content : {};
  const fromVisitor = msg.flow === 'out';

  switch (str(data.src)) {
    case '9': {
      const menu = isObj(data.menuContent) ? data.menuContent : {};
      const options = list(menu.menu)
        .map((m) => ({ id: str(m.id), label: str(m.content) }))
        .filter((o) => o.id !== '')
        .slice(0, MAX_OPTIONS);
      const chosen = isObj(menu.selected) ? str(menu.selected.id) : '';
      const selected = options.find((o) => o.id === chosen)?.id;
      const expireTime = num(menu.expireTime);
      const rating: ConfabEventBody = {
        type: 'rating',
        rating: {
          id: str(menu.sessionId) || msg.ID,
          ...(str(menu.head) && { title: str(menu.head) }),
          ...(str(menu.tail) && { closing: str(menu.tail) }),
          scale: num(menu.type) === 1 ? 'stars' : 'numeric',
          options,
          ...(expireTime > 0 && { expiresAt: expireTime * 1000, serverSkew: ctx.serverSkew }),
          ...(selected && { selected }),
        },
      };
      return { events: [rating], ratingSession: str(menu.sessionId) };
    }
    case '12':
      // The newer kits send `typingStatus: 1` for typing and anything else for stopped.
      if (ctx.replay || fromVisitor) return none;
      return one({ type: 'typing', on: data.typingStatus === undefined || num(data.typingStatus) === 1 });
    case '15': {
      const selected = selectedContent(content);
      return one({
        type: 'branch',
        branch: {
          id: msg.ID,
          header: str(content.header) || str(content.title),
          options: choices(content.items),
          ...(str(content.tail) && { tail: str(content.tail) }),
          ...(selected && { selected }),
        },
      });
    }
    case '19':
    case '20': {
      const timeout = str(data.src) === '20';
      const text = t(timeout ? 'notice.endedByTimeout' : 'notice.endedBySystem');
      const flow: FlowMark = { ended: timeout ? 'timeout' : 'agent' };
      if (ctx.replay) {
        return { events: [{ type: 'message', message: { id: msg.ID, sender: 'system', text, sentAt: msg.time * 1000 } }], flow };
      }
      // No `text`: the flags carry none, and the session writes the end marker from `by`
      // (passing our own notice again showed it twice).
      return { events: [{ type: 'ended', by: flow.ended }], flow };
    }
    case '21': {
      const withOptions = num(content.type) === 1;
      const submitted = selectedContent(content);
      const header = str(content.header);
      return one({
        type: 'form',
        form: {
          id: msg.ID,
          header,
          field: {
            name: 'form',
            // The desk gives a text form no type; a question asking for an email address is
            // checked as one, so "not an email" is refused before it is sent (issue 25 item 10).
            type: withOptions ? 'select' : /e-?mail|邮箱/i.test(header) ? 'email' : 'text',
            label: header,
            required: true,
            ...(withOptions && { options: choices(content.items).map((c) => c.label), selectAs: 'radio' as const }),
          },
          ...(submitted && { submitted }),
        },
      });
    }
    case '22': {
      const image = safeUrl(content.pic, 'image');
      const url = safeUrl(content.url, 'link');
      return one({
        type: 'card',
        id: msg.ID,
        sender,
        card: {
          title: str(content.header),
          ...(str(content.desc) && { description: str(content.desc) }),
          ...(image && { image }),
          ...(url && { url }),
        },
      });
    }
    case '23': {
      const flag = num(content.menuSendRuleFlag) | 0;
      return {
        events: [{ type: 'rating-policy', policy: { autoAtEnd: (flag & 1) !== 0, agentMaySend: (flag & 2) !== 0, visitorMayAsk: (flag & 4) !== 0 } }],
        flow: 'live',
      };
    }
    case '26': {
      const seat = str(content.content) === 'inSeat' ? 'in' : str(content.content) === 'outSeat' ? 'out' : undefined;
      if (!seat) return none;
      const human = { name: msg.nick || t('messages.agent'), isBot: false };
      const bot = { name: msg.nick || t('messages.bot'), isBot: true };
      const agent = seat === 'in' ? human : bot;
      if (ctx.replay || seat === ctx.seat) return { events: [], seat, agent, flow: 'live' };
      const events: ConfabEventBody[] =
        seat === 'in'
          ? [{ type: 'agent', action: 'joined', agent: human }]
          : [
              ...(ctx.seat === 'in' ? [{ type: 'agent', action: 'left', agent: human } as const] : []),
              { type: 'agent', action: 'joined', agent: bot },
            ];
      return { events, seat, agent, flow: 'live' };
    }
    case '18':
      // No agent online (plugin constant.ts NO_SEAT_ONLINE; item 2): the offline next step. The
      // flag's body is unpublished, so the reason is ours. Nothing to show on a replay.
      return ctx.replay || fromVisitor ? none : one({ type: 'rejected', reason: t('offline.default') });
    // 7, 10, 24, 27 are the visitor's own flag messages (echoes from another tab, or stored by
    // another kit), never rendered; 7 and 27 still mark the flow's start and end.
    case '7':
      return fromVisitor ? { events: [], flow: 'live' } : none;
    case '27':
      return fromVisitor ? { events: [], flow: { ended: 'visitor' } } : none;
    case '13': {
      // Robot commands: only the bot's status changes what the visitor sees (who answers).
      const status = str(content.command) === 'updateBotStatus' ? str(content.content) : '';
      if (ctx.replay || fromVisitor || ctx.seat === 'in' || (status !== 'inBot' && status !== 'leaveBot')) return none;
      return one({ type: 'agent', action: status === 'inBot' ? 'joined' : 'left', agent: { name: msg.nick || t('messages.bot'), isBot: true } });
    }
    case '29': {
      const welcome = str(data.subtype) === 'welcome_msg';
      return one({
        type: 'branch',
        branch: {
          id: msg.ID,
          // The welcome list has a title only; an answer a header or a title.
          header: welcome ? str(content.title) : str(content.header) || str(content.title),
          options: choices(content.items),
          ...(welcome && { pageSize: WELCOME_PAGE }),
        },
      });
    }
    case '30': {
      const source = str(data.content);
      return source ? { ...line({ text: source, partial: true }), markdown: true } : none;
    }
    case '31': {
      const chunks = Array.isArray(data.chunks) ? data.chunks.slice(0, MAX_CHUNKS) : [];
      const text = capText(chunks.map(str).join(''));
      return line({ text, ...(num(data.isFinished) === 0 && { partial: true }) });
    }
    // Newer srcs (28, 32–38) are not rendered: Tencent's web plugin 2.2.6 stops at 31.
    default:
      return none;
  }
}
