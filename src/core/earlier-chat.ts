/**
 * A new chat after an earlier one whose lines are still in the log (Tencent replays the desk's
 * history on "Start a new chat", and on a returning visitor's first visit): when the visitor
 * starts, a divider marks where the new chat begins, and the earlier chat's bot menus are
 * closed, since a choice there would go to a chat that has ended (issue 25 item 11).
 */
import { t } from './i18n';
import type { TranscriptItem } from './session-api';

/**
 * The transcript with the earlier chat closed, or null when there is nothing to close (no
 * earlier line, or only notices, or the divider is already the last row).
 */
export function closeEarlierChat(items: readonly TranscriptItem[], at: number): TranscriptItem[] | null {
  const lastItem = items[items.length - 1];
  if (!lastItem || (lastItem.kind === 'notice' && lastItem.tone === 'divider')) return null;
  if (items.every((item) => item.kind === 'notice')) return null;
  const closed = items.map((item) => (item.kind === 'branch' && !item.closed ? { ...item, closed: true } : item));
  closed.push({ kind: 'notice', id: `divider-${at}`, at, text: t('notice.newChat'), tone: 'divider' });
  return closed;
}
