/**
 * The transcript as a log (role="log", "Messages"). Each row is a memoized component
 * keyed by item id: items are immutable, so a new message renders one new row and
 * leaves the others alone. Only a window of the newest rows is rendered, so a new line
 * costs the same with 10 or 10,000 before it; older rows come a page at a time from the
 * "Show earlier messages" button at the top, reachable by keyboard (not on scrolling to the
 * top: layout changes, such as the after-chat view opening below, scroll the log too).
 * New lines scroll into view only when the visitor was at the bottom, or when the new line is
 * the visitor's own (sending means "I am here now"); while the visitor reads back, a pill at
 * the bottom of the log says new lines arrived and scrolls down. At the bottom the log stays
 * there when an image finishes loading or the log itself gets shorter (the after-chat view
 * opening below it). Rows are not
 * `content-visibility: auto`: the window bounds them, and rows sized only once painted
 * moved the bottom after the log had scrolled to it.
 */
import { Component } from 'preact';
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { locale, t } from '../core/i18n';
import type { TranscriptItem } from '../core/session-api';
import { useUi } from './context';
import { FileRequestItem } from './file-request-item';
import { MessageRow } from './message-row';
import { lazyView } from './lazy-view';

// A rating request comes late in a chat, if at all: its widget is a chunk of its own
// (the app chunk's budget), fetched as the chat starts (window.tsx).
const rating = lazyView(() => import('./rating-item').then((m) => m.RatingItem));
const RatingItem = rating.View;
// Branch menus, forms and cards: one chunk (vendor-items.ts), fetched with the rating widget.
const items = () => import('./vendor-items');
const branch = lazyView(() => items().then((m) => m.BranchItem));
const form = lazyView(() => items().then((m) => m.FormItem));
const card = lazyView(() => items().then((m) => m.CardItem));
const BranchItem = branch.View;
const FormItem = form.View;
const CardItem = card.View;
export const prefetchItems = (): void => {
  rating.prefetch();
  branch.prefetch();
  form.prefetch();
  card.prefetch();
};

function RowBody({ item }: { item: Exclude<TranscriptItem, { kind: 'message' }> }) {
  switch (item.kind) {
    case 'notice':
      return <p class={`confab-notice confab-${item.tone ?? 'info'}`}>{item.text}</p>;
    case 'branch':
      return <BranchItem item={item} />;
    case 'form':
      return <FormItem item={item} />;
    case 'card':
      return <CardItem item={item} />;
    case 'rating':
      return <RatingItem item={item} />;
    case 'file-request':
      return <FileRequestItem item={item} />;
  }
}

/**
 * Where a row sits among its neighbours (issue 25 item 13): `more` continues the line before
 * (same sender and author, same minute: no second name and time), `day` starts a new day
 * (a date separator above), `last` is the visitor's newest delivered line (the only "Sent").
 */
export interface RowPlace {
  more?: boolean;
  day?: string;
  last?: boolean;
}

// A hand-rolled memo (preact/compat's would cost bytes): re-render only when the item or its place changed.
export class Row extends Component<{ item: TranscriptItem } & RowPlace> {
  override shouldComponentUpdate(n: { item: TranscriptItem } & RowPlace): boolean {
    const p = this.props;
    return n.item !== p.item || n.more !== p.more || n.day !== p.day || n.last !== p.last;
  }
  override render() {
    const { item, more, day, last } = this.props;
    return (
      <div class={`confab-row${more ? ' confab-more' : ''}`} data-kind={item.kind}>
        {day && <p class="confab-day">{day}</p>}
        {item.kind === 'message' ? <MessageRow item={item} more={more} last={last} /> : <RowBody item={item} />}
      </div>
    );
  }
}

/** The local day of a time (cheap: compared for every row; only a separator is formatted). */
const dayOf = (at: number): string => new Date(at).toDateString();
const minute = (item: TranscriptItem | undefined): string =>
  item?.kind === 'message' ? `${item.sender}|${item.authorName}|${Math.floor(item.at / 6e4)}` : '';

/** Rows rendered at the end of the log, and how many more each step back adds. */
export const WINDOW = 120;
export const PAGE = 100;

export function MessageList() {
  const { session } = useUi();
  const items = session.transcript.value;
  const n = items.length;
  const ref = useRef<HTMLDivElement>(null);
  const stuck = useRef(true);
  const first = useRef(Math.max(0, n - WINDOW));
  const [, rerender] = useState(0);
  /** Reading back (not at the bottom), and how long the transcript was when the visitor left it. */
  const [away, setAway] = useState<number | null>(null);
  const last = items[n - 1];
  const lastId = useRef(last?.id);
  if (last?.id !== lastId.current) {
    lastId.current = last?.id;
    if (last?.kind === 'message' && last.sender === 'visitor') stuck.current = true;
  }

  // At the bottom the window follows the newest lines; while the visitor reads older ones it
  // stays put (rows below them are never taken away). A transcript that shrank (a new chat)
  // starts over.
  let start = first.current;
  if (start > n || (stuck.current && n - start > WINDOW)) start = Math.max(0, n - WINDOW);
  first.current = start;
  const tag = locale.value.tag;
  // Only the newest delivered visitor line says "Sent" (sending and failed ones always say so),
  // looked for among the rendered rows only, so a long chat still costs the same per line.
  let lastSent = n;
  while (--lastSent >= start) {
    const it = items[lastSent];
    if (it?.kind === 'message' && it.status === 'sent') break;
  }

  /**
   * Rows added above must not move what the visitor was reading. Scroll anchoring cannot be
   * relied on: it does nothing at the very top of the log, where this button is (measured:
   * the line read moved by ~8,700 px in Chromium), and Safari has none. So the distance from
   * the bottom is kept by hand, which gives the same result whether the browser anchored or not.
   */
  const keepFromBottom = useRef<number | null>(null);
  const showEarlier = (): void => {
    if (!start) return;
    const el = ref.current;
    if (el) keepFromBottom.current = el.scrollHeight - el.scrollTop;
    stuck.current = false;
    first.current = Math.max(0, start - PAGE);
    // Once all is shown the button goes: keep keyboard focus in the log, not on the page.
    if (!first.current) ref.current?.focus();
    rerender((x) => x + 1);
  };

  /** Where the log last scrolled itself to the bottom. */
  const auto = useRef(0);
  const toBottom = (): void => {
    const el = ref.current;
    if (!el || !stuck.current) return;
    el.scrollTop = el.scrollHeight;
    auto.current = el.scrollTop; // clamped by the browser to the real bottom
  };
  useEffect(() => {
    const el = ref.current;
    if (!el || typeof ResizeObserver !== 'function') return;
    const watch = new ResizeObserver(toBottom);
    watch.observe(el);
    return () => watch.disconnect();
  }, []);
  if (stuck.current && away !== null) setAway(null);
  useLayoutEffect(() => {
    const el = ref.current;
    if (el && keepFromBottom.current !== null) {
      el.scrollTop = el.scrollHeight - keepFromBottom.current;
      keepFromBottom.current = null;
      auto.current = Infinity; // the log did not put itself at the bottom: this is reading back
    } else toBottom();
  });

  return (
    <div
      ref={ref}
      role="log"
      // A log is a polite live region by default; the lines a visitor should hear are spoken
      // once by the app's own live region (live-region.tsx), so this one stays silent.
      aria-live="off"
      aria-label={t('messages.label')}
      class="confab-log"
      tabIndex={0}
      // An image that finishes loading (load does not bubble: captured) grows its row.
      onLoadCapture={toBottom}
      onScroll={(e) => {
        const el = e.currentTarget;
        // A scroll event may arrive after more lines grew the log: only a move up from where
        // the log put itself is the visitor reading back.
        stuck.current = el.scrollTop >= auto.current - 1 || el.scrollHeight - el.scrollTop - el.clientHeight < 40;
        setAway(stuck.current ? null : away ?? n);
      }}
    >
      {start > 0 && (
        <button type="button" class="confab-link-button confab-earlier" onClick={showEarlier}>
          {t('messages.showEarlier')}
        </button>
      )}
      {items.slice(start).map((item, k) => {
        const i = start + k;
        const prev = items[i - 1];
        const day = dayOf(item.at);
        // A separator where the day changes, and above a chat that did not start today.
        const newDay = day !== dayOf(prev ? prev.at : Date.now());
        return (
          <Row
            key={item.id}
            item={item}
            more={!newDay && !!minute(item) && minute(item) === minute(prev)}
            day={newDay ? new Date(item.at).toLocaleDateString(tag, { dateStyle: 'medium' }) : undefined}
            last={i === lastSent}
          />
        );
      })}
      {away !== null && n > away && (
        <button
          type="button"
          class="confab-pill"
          onClick={() => {
            stuck.current = true; // the scroll that follows takes the pill away
            toBottom();
            ref.current?.focus();
          }}
        >
          {t('messages.new')}
          <span aria-hidden="true"> ↓</span>
        </button>
      )}
    </div>
  );
}
