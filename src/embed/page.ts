/**
 * What the widget does to the host page while a chat is going on, and only then: the unread
 * count in the document title while the page is hidden, an optional sound for new messages
 * (data-sound), and on narrow screens the page's scroll locked while the window fills the
 * screen, with the window sized to the visual viewport so the on-screen keyboard never
 * covers the composer. The title and the scroll lock themselves are in host-page.ts, shared
 * with the frame host (data-mode="iframe").
 */
import { effect } from '@preact/signals-core';
import type { Session } from '../core/session-api';
import type { LoaderHost } from './app-api';
import { fullScreenLock, unreadTitle } from './host-page';

export function watchPage(session: Session, host: LoaderHost, opts: { sound: boolean; title: boolean }): () => void {
  const cleanups: (() => void)[] = [];

  if (opts.title) {
    const title = unreadTitle(
      () => session.unread.value,
      () => session.isOpen.value,
    );
    cleanups.push(effect(title.update));
    cleanups.push(session.on('message', (m) => title.line(m.sender)));
    cleanups.push(title.stop);
  }

  if (opts.sound) {
    cleanups.push(
      session.on('message', (m) => {
        // Only sites that asked for sound download the chime.
        if (m.sender !== 'visitor' && (document.hidden || !session.isOpen.value)) void import('./chime').then((c) => c.chime());
      }),
    );
  }

  // embed.html fills a frame: locking its own document would do nothing for the host page
  // (the frame host locks the host page instead).
  if (!host.fullPage) {
    const lock = fullScreenLock(host.container);
    cleanups.push(effect(() => lock.set(session.isOpen.value)));
    cleanups.push(lock.stop);
  }
  return () => {
    for (const c of cleanups) c();
  };
}
