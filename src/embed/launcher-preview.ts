/**
 * The launcher's preview card (issue 25 item 14): while the window is closed and a line is
 * unread, the newest agent or bot line beside the launcher (its author and first lines); a
 * click opens the chat, which is where the line is read. It is built from the transcript, so
 * it comes back after a reload with the unread count. In-page only: in iframe mode the host
 * page paints the launcher (frame-host.ts) and the badge alone tells.
 */
import { effect } from '@preact/signals-core';
import { htmlToText } from '../core/html-text';
import type { Session } from '../core/session-api';
import type { LoaderHost } from './app-api';
import { adoptCss } from './css';
import css from './launcher-preview.css?inline';

export function launcherPreview(host: LoaderHost, session: Session, open: () => void): () => void {
  adoptCss(host.root, css, host.options.all.nonce);
  const card = document.createElement('button');
  card.type = 'button';
  card.className = `preview ${host.launcher.classList.contains('left') ? 'left' : 'right'}`;
  card.hidden = true;
  card.onclick = open;
  const who = document.createElement('b');
  const what = document.createElement('span');
  card.append(who, what);
  host.launcher.before(card);
  const stop = effect(() => {
    const items = session.transcript.value;
    let i = items.length;
    let line;
    while (i-- && !line) {
      const it = items[i];
      if (it?.kind === 'message' && (it.sender === 'agent' || it.sender === 'bot')) line = it;
    }
    const text = line ? (line.text ?? htmlToText(line.html ?? '')) || line.attachments?.[0]?.name : '';
    card.hidden = !text || session.isOpen.value || !session.unread.value;
    who.textContent = line?.authorName ?? session.agent.value?.name ?? '';
    what.textContent = text ?? '';
  });
  return () => {
    stop();
    card.remove();
  };
}
