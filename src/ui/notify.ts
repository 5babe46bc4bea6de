/**
 * Browser notifications, only when the visitor asked for them: off by default, turned on
 * by the header's "Notify me of new messages" toggle (which asks the browser's permission
 * on that click), never remembered across pages (nothing is stored). A notification shows
 * only while the page is hidden, carries plain text only (the session's `message` event is
 * already tag-free; Notification renders no markup) and no icon, so nothing is fetched.
 */
import { signal, type Signal } from '@preact/signals-core';
import type { Session } from '../core/session-api';

/** The longest notification body; the window has the whole line. */
const MAX_BODY = 200;

/** Bumped by every permission answer, so the toggle re-renders (and hides once refused). */
const answered = signal(0);

export const notificationsSupported = (): boolean =>
  answered.value >= 0 && typeof Notification === 'function' && Notification.permission !== 'denied';

/** Flips the visitor's choice; turning on asks for permission first (must run in the click). */
export function toggleNotifications(on: Signal<boolean>): void {
  if (on.value) {
    on.value = false;
    return;
  }
  void Notification.requestPermission().then((p) => {
    on.value = p === 'granted';
    answered.value += 1;
  });
}

export function watchNotifications(session: Session, title: () => string): { on: Signal<boolean>; stop(): void } {
  const on = signal(false);
  const stop = session.on('message', (m) => {
    if (!on.value || m.sender === 'visitor' || !document.hidden || Notification.permission !== 'granted') return;
    try {
      const n = new Notification(m.authorName || title(), { body: m.text.slice(0, MAX_BODY), tag: 'confab' });
      n.onclick = () => {
        window.focus();
        session.open();
        n.close();
      };
    } catch (err) {
      // e.g. Android Chrome allows notifications only from a service worker
      console.warn('[confab] could not show a notification', err);
    }
  });
  return { on, stop };
}
