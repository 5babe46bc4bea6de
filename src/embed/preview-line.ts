/**
 * What the launcher's preview card shows (issue 25 item 14), from the session: in-page
 * (launcher-preview.ts) and, posted to the host page, in iframe mode (frame-guest.ts).
 */
import { htmlToText } from '../core/html-text';
import type { Session } from '../core/session-api';

/** The newest agent or bot line as the card shows it, and whether the card shows now. */
export function previewLine(session: Session): { who: string; text: string; shown: boolean } {
  const items = session.transcript.value;
  let i = items.length;
  let line;
  while (i-- && !line) {
    const it = items[i];
    if (it?.kind === 'message' && (it.sender === 'agent' || it.sender === 'bot')) line = it;
  }
  const text = (line ? (line.text ?? htmlToText(line.html ?? '')) || line.attachments?.[0]?.name : '') ?? '';
  return { who: line?.authorName ?? session.agent.value?.name ?? '', text, shown: !session.isOpen.value && !!session.unread.value };
}

