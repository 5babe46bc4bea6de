/**
 * What the widget does to the host page while a chat is going on, and only then: the unread
 * count in the document title while the page is hidden, an optional sound for new messages
 * (data-sound), and on narrow screens the page's scroll locked while the window fills the
 * screen, with the window sized to the visual viewport so the on-screen keyboard never
 * covers the composer.
 */
import { effect } from '@preact/signals-core';
import type { Session } from '../core/session-api';
import type { LoaderHost } from './app-api';

const FULL_SCREEN = '(max-width: 480px)';

export function watchPage(session: Session, host: LoaderHost, opts: { sound: boolean }): () => void {
  const cleanups: (() => void)[] = [];
  const originalTitle = { value: document.title, prefixed: false };
  // The session counts unread lines only while the window is closed; with the window open on a
  // hidden tab the visitor has not read them either, so the title counts those too.
  let unseenWhileHidden = 0;

  const updateTitle = () => {
    if (!document.hidden) unseenWhileHidden = 0;
    const n = session.unread.value + unseenWhileHidden;
    const base = originalTitle.prefixed ? document.title.replace(/^\(\d+\+?\) /, '') : document.title;
    if (n > 0 && document.hidden) {
      document.title = `(${n > 99 ? '99+' : n}) ${base}`;
      originalTitle.prefixed = true;
    } else if (originalTitle.prefixed) {
      document.title = base;
      originalTitle.prefixed = false;
    }
  };
  cleanups.push(effect(updateTitle));
  cleanups.push(
    session.on('message', (m) => {
      if (m.sender !== 'visitor' && document.hidden && session.isOpen.value) {
        unseenWhileHidden += 1;
        updateTitle();
      }
    }),
  );
  document.addEventListener('visibilitychange', updateTitle);
  cleanups.push(() => document.removeEventListener('visibilitychange', updateTitle));

  if (opts.sound) {
    cleanups.push(
      session.on('message', (m) => {
        // Only sites that asked for sound download the chime.
        if (m.sender !== 'visitor' && (document.hidden || !session.isOpen.value)) void import('./chime').then((c) => c.chime());
      }),
    );
  }

  if (!host.fullPage) {
    const narrow = matchMedia(FULL_SCREEN);
    const root = document.documentElement;
    let saved: string | null = null;
    const vv = window.visualViewport;
    const fit = () => {
      if (vv) host.container.style.setProperty('--confab-viewport-height', `${Math.round(vv.height)}px`);
    };
    cleanups.push(
      effect(() => {
        const lock = session.isOpen.value && narrow.matches;
        if (lock && saved === null) {
          saved = root.style.overflow;
          root.style.overflow = 'hidden';
          fit();
          vv?.addEventListener('resize', fit);
        } else if (!lock && saved !== null) {
          root.style.overflow = saved;
          saved = null;
          vv?.removeEventListener('resize', fit);
          host.container.style.removeProperty('--confab-viewport-height');
        }
      }),
    );
    cleanups.push(() => {
      if (saved !== null) root.style.overflow = saved;
      vv?.removeEventListener('resize', fit);
    });
  }
  return () => {
    for (const c of cleanups) c();
    if (originalTitle.prefixed) document.title = document.title.replace(/^\(\d+\+?\) /, '');
  };
}
