/**
 * The launcher's preview card (issue 25 item 14): while the window is closed and a line is
 * unread, the newest agent or bot line beside the launcher (its author and first lines); a
 * click opens the chat, which is where the line is read. It is built from the transcript, so
 * it comes back after a reload with the unread count. In iframe mode the host page paints the
 * launcher (frame-host.ts): the frame sends it the same line (frame-guest.ts) for the same card.
 */
import { effect } from '@preact/signals-core';
import type { Session } from '../core/session-api';
import type { LoaderHost } from './app-api';
import { previewCard } from './preview-card';
import { previewLine } from './preview-line';

export function launcherPreview(host: LoaderHost, session: Session, open: () => void): () => void {
  const card = previewCard(host, open);
  const stop = effect(() => {
    const { who, text, shown } = previewLine(session);
    card.show(who, text, shown);
  });
  return () => {
    stop();
    card.remove();
  };
}
