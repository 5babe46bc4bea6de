/**
 * The two things only the host page's document can do, used by the in-page widget
 * (page.ts) and by the frame host (data-mode="iframe"): the unread count in the document
 * title, and the page's scroll locked while the window fills a narrow screen. No signals
 * here, so the frame host stays small.
 */
// Also short windows (200 % zoom on a laptop: 640×400 CSS px), where a popup leaves no room for messages.
const FULL_SCREEN = '(max-width: 480px), (max-height: 500px)';
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
