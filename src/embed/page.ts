/**
 * What the widget does to the host page while a chat is going on, and only then: the unread
 * count in the document title while the page is hidden, an optional sound for new messages
 * (data-sound), and on narrow screens the page's scroll locked while the window fills the
 * screen, with the window sized to the visual viewport so the on-screen keyboard never
 * covers the composer. The title and the scroll lock are also used by the frame host
 * (data-mode="iframe"), since only the host page's document can do either.
 */
import { effect } from '@preact/signals-core';
import type { Session } from '../core/session-api';
import type { LoaderHost } from './app-api';

const FULL_SCREEN = '(max-width: 480px)';
const PREFIX = /^\(\d+\+?\) /;

export interface UnreadTitle {
  /** Call whenever the unread count or the window's state may have changed. */
  update(): void;
  /** A new line arrived from this sender. */
  line(sender: string): void;
  stop(): void;
}

/**
 * The unread count in front of the document title ("(3) Shop") while the page is hidden.
 * `unread()` counts lines only while the window is closed; with the window open on a hidden
 * tab the visitor has not read them either, so the title counts those too.
 */
export function unreadTitle(unread: () => number, isOpen: () => boolean): UnreadTitle {
  let unseenWhileHidden = 0;
  let prefixed = false;
  const update = () => {
    if (!document.hidden) unseenWhileHidden = 0;
    const n = unread() + unseenWhileHidden;
    const base = prefixed ? document.title.replace(PREFIX, '') : document.title;
    if (n > 0 && document.hidden) {
      document.title = `(${n > 99 ? '99+' : n}) ${base}`;
      prefixed = true;
    } else if (prefixed) {
      document.title = base;
      prefixed = false;
    }
  };
  document.addEventListener('visibilitychange', update);
  return {
    update,
    line(sender) {
      if (sender !== 'visitor' && document.hidden && isOpen()) {
        unseenWhileHidden += 1;
        update();
      }
    },
    stop() {
      document.removeEventListener('visibilitychange', update);
      if (prefixed) document.title = document.title.replace(PREFIX, '');
      prefixed = false;
    },
  };
}

export interface ScrollLock {
  /** Whether the window is open; the page locks only while it is open AND the screen is narrow. */
  set(open: boolean): void;
  stop(): void;
}

/**
 * On narrow screens the window fills the screen: the page behind must not scroll, and the
 * window follows the visual viewport's height (`--confab-viewport-height` on `container`) so
 * the on-screen keyboard never covers the composer.
 */
export function fullScreenLock(container: HTMLElement): ScrollLock {
  const narrow = matchMedia(FULL_SCREEN);
  const root = document.documentElement;
  const vv = window.visualViewport;
  let saved: string | null = null;
  const fit = () => {
    if (vv) container.style.setProperty('--confab-viewport-height', `${Math.round(vv.height)}px`);
  };
  const release = () => {
    if (saved === null) return;
    root.style.overflow = saved;
    saved = null;
    vv?.removeEventListener('resize', fit);
    container.style.removeProperty('--confab-viewport-height');
  };
  return {
    set(open) {
      if (!open || !narrow.matches) return release();
      if (saved !== null) return;
      saved = root.style.overflow;
      root.style.overflow = 'hidden';
      fit();
      vv?.addEventListener('resize', fit);
    },
    stop: release,
  };
}

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
