/**
 * The app chunk (dist/assets/app-*.js): loaded by the loader on intent, it builds the
 * session over the vendor's lazily imported transport, renders the window, drives the
 * launcher's label and badge, and answers the public JS API. Inside embed.html it may
 * also be the guest end of the iframe bridge (see frame-host.ts for the host end).
 */
import { effect, signal } from '@preact/signals-core';
import type { Card, VisitorInfo } from '../core/contract';
import { formatNumber, loadLocale, locale, setLocale, t } from '../core/i18n';
import { createSession } from '../core/session';
import type { ApiExtras, ChatListeners } from './api-extras';
import type { Session, SessionEventMap } from '../core/session-api';
import { isVendor, loadTransport } from '../transports/registry';
import { mountWindow } from '../ui/app';
import { CLOSE_ICON, type AppHandle, type LoaderHost } from './app-api';
import { dispatchPublic, onReady } from './events';
import { invalidOptions } from './options';
import { watchPage } from './page';
import { adoptCss } from './css';
import launcherAppCss from './launcher-app.css?inline';
import { yieldToInput } from './yield';

function safeStorage(kind: 'sessionStorage' | 'localStorage'): Storage | null {
  try {
    return window[kind];
  } catch {
    return null; // blocked by the browser's privacy settings
  }
}

/**
 * The session's events the public API passes on. Not the session's own `ready` (its transport
 * has loaded, i.e. the visitor opened the chat): the public `ready` means this app has loaded,
 * as README and the ready() promise say (see `on` below).
 */
const PUBLIC_EVENTS: (keyof SessionEventMap)[] = ['open', 'close', 'message', 'unread', 'ended', 'phase'];

/**
 * Boots in slices with a yield to input between them (issue 27): running this chunk is one
 * task, building the session the next, the launcher's state the next, mounting the window
 * (its CSS, and only the live region while it is closed) the next, wiring the API the last. The launcher's click is the app's only in the last slice,
 * in the same task as the loader hands it over (until then the loader queues the click).
 */
export async function boot(host: LoaderHost): Promise<AppHandle> {
  await yieldToInput();
  const { options, launcher, badge } = host;
  // Inside embed.html opened by data-mode="iframe": the guest end of the bridge (a lazy chunk:
  // no other page needs it).
  const guest =
    host.fullPage && new URLSearchParams(location.search).get('frame') === '1' && window.parent !== window
      ? (await import('./frame-guest')).frameGuest(host)
      : null;
  // Listeners of started, rated, offline-message, transcript and error (chat-events.ts), by event.
  const chatListeners: ChatListeners = new Map();
  const vendor = options.vendor;
  if (!isVendor(vendor)) throw new Error(`unknown vendor ${vendor}`);
  // The loader fell back to the defaults silently (its 3 KB budget has no room for these).
  for (const message of invalidOptions(options.all)) console.error(`Confab: ${message}`);
  // Not awaited: the window waits for a non-English table itself, so English never flashes.
  void loadLocale(options.all.locale);
  // update / pageView and the derived events: a lazy chunk, loaded with the transport or on first use.
  let extrasLoad: Promise<ApiExtras> | undefined;
  const extras = (): Promise<ApiExtras> =>
    (extrasLoad ??= import('./api-extras').then(
      (m) => m.apiExtras(session, host, chatListeners, guest && ((name, detail) => guest.post({ confab: 'event', name, detail })), location.href),
      (err: unknown) => {
        extrasLoad = undefined; // Retry loads it again with the transport
        throw err;
      },
    ));
  const session: Session = createSession({
    loadTransport: () =>
      Promise.all([loadTransport(vendor), extras()]).then(([m, x]) => x.wrap(m.createTransport)),
    transportOptions: {
      options: options.all,
      // Read when a transport starts, so a chat started after setLocale carries the new language.
      get locale() {
        return locale.value.tag;
      },
      pageUrl: location.href,
      referrer: document.referrer,
      userAgent: navigator.userAgent,
    },
    storage: safeStorage('sessionStorage'),
    durableStorage: safeStorage('localStorage'),
    storageKey: host.storageKey,
    consentRequired: options.all.consent === 'required',
  });
  await yieldToInput();
  if (!host.fullPage) adoptCss(host.root, launcherAppCss, options.all.nonce);

  const cleanups: (() => void)[] = [];
  let icon: string | null = null;
  // The window pre-rendered hidden once the app has booted, so a click only shows it (issue 27);
  // the first opening ends that (a window closed after it is unmounted, as before).
  const warm = signal(false);
  cleanups.push(
    effect(() => {
      const open = session.isOpen.value;
      if (open) warm.value = false;
      const unread = session.unread.value;
      const openLabel = options.all.launcherLabel || t('launcher.open');
      const closeLabel = t('launcher.close');
      launcher.setAttribute('aria-label', open ? closeLabel : openLabel);
      // The icon says what a click will do: a speech bubble to open, a cross to close.
      icon ??= launcher.querySelector('path')?.getAttribute('d') ?? null;
      launcher.querySelector('path')?.setAttribute('d', open ? CLOSE_ICON : (icon ?? ''));
      launcher.setAttribute('aria-expanded', String(open));
      launcher.removeAttribute('aria-busy');
      badge.hidden = unread === 0 || open;
      badge.textContent = unread > 99 ? `${formatNumber(99)}+` : formatNumber(unread);
      badge.setAttribute('aria-hidden', 'true');
      // The frame's host paints its own launcher: it gets the labels in the visitor's language.
      const unreadLabel = unread && !open ? t('launcher.unread', { count: unread }) : '';
      guest?.post({ confab: 'state', open, unread, openLabel, closeLabel, unreadLabel });
    }),
  );
  // The unread count is part of the launcher's description, not its name, so "Open chat" stays stable.
  const described = document.createElement('span');
  described.id = 'confab-unread';
  described.hidden = true;
  host.root.append(described);
  launcher.setAttribute('aria-describedby', described.id);
  cleanups.push(
    effect(() => {
      const n = session.unread.value;
      described.textContent = n && !session.isOpen.value ? t('launcher.unread', { count: n }) : '';
    }),
  );

  /**
   * Whether the window's next opening answers the visitor, who then expects focus in it: the
   * launcher, or a host call made in answer to a click or key press (transient user
   * activation). data-open and a window restored after a navigation leave focus on the page.
   */
  let visitorOpens = false;
  let autoOpen = options.open;
  const activated = (): boolean => (navigator as { userActivation?: { isActive: boolean } }).userActivation?.isActive ?? true;
  /** data-launcher="none": the site's own control that opened the window gets focus back on close. */
  let opener: Element | null = null;
  const open = (byVisitor: boolean, message?: unknown) => {
    if (!launcher.isConnected && !session.isOpen.value) opener = document.activeElement;
    visitorOpens = byVisitor && !session.isOpen.value;
    // open({ message }): the composer is pre-filled; the visitor sends it once the chat runs.
    if (typeof message === 'string' && message) session.draft.value = message;
    session.open();
  };
  const toggle = (byVisitor = activated()) => (session.isOpen.value ? session.close() : open(byVisitor));
  // The launcher's preview card (issue 25 item 14) is a chunk of its own, fetched the first time
  // a line is unread while the window is closed.
  if (!guest && !host.fullPage) {
    let stopPreview: (() => void) | undefined;
    let gone = false;
    const stopWatch = effect(() => {
      if (!session.unread.value || stopPreview) return;
      stopPreview = () => undefined;
      void import('./launcher-preview').then((m) => {
        if (!gone) stopPreview = m.launcherPreview(host, session, () => open(true));
      });
    });
    cleanups.push(() => {
      gone = true;
      stopWatch();
      stopPreview?.();
    });
  }

  // Public events: window CustomEvents for tag managers, and the frame's host when embedded.
  for (const name of PUBLIC_EVENTS) {
    cleanups.push(
      session.on(name, (detail) => {
        dispatchPublic(host.name, name, detail ?? {});
        guest?.post({ confab: 'event', name, detail: detail ?? {} });
      }),
    );
  }
  cleanups.push(() => void extrasLoad?.then((x) => x.stop(), () => undefined));

  await yieldToInput();
  cleanups.push(
    mountWindow(
      host.root,
      host.container,
      session,
      {
        title: options.all.title ?? '',
        position: options.position,
        theme: options.theme,
        color: options.color,
        locale: options.all.locale || navigator.language,
        fullPage: host.fullPage,
        logo: options.all.logo,
        consentText: options.all.consentText,
        privacyUrl: options.all.privacyUrl,
        offlineUrl: options.all.offlineUrl,
        warm,
        site: options.all,
      },
      {
        focusLauncher: () => (guest ? guest.post({ confab: 'minimise' }) : ((launcher.isConnected ? launcher : opener) as HTMLElement | null)?.focus()),
        visitorOpened: () => {
          const answer = visitorOpens;
          visitorOpens = false;
          // A plain embed.html is the chat's own page, opened for the visitor. Behind the frame
          // bridge the host page says who opened the window (see frame-host.ts).
          return answer || (host.fullPage && !guest);
        },
      },
    ),
  );
  await yieldToInput();
  // Behind the frame bridge, the host page's title is the frame host's to change.
  cleanups.push(watchPage(session, host, { sound: options.all.sound === 'true' || options.all.sound === '', title: !guest }));

  let destroyed = false;
  const running = () => session.phase.peek() === 'waiting' || session.phase.peek() === 'chatting';
  const subscriptions = new Map<unknown, Record<string, () => void>>();
  const methods: Record<string, (...a: unknown[]) => unknown> = {
    open: (what) => {
      // The loader replays data-open as the first open: the page asked, not the visitor.
      const byVisitor = !autoOpen && activated();
      autoOpen = false;
      open(byVisitor, (what as { message?: unknown } | undefined)?.message);
    },
    show: () => void (host.root.host as HTMLElement).style.removeProperty('display'),
    hide: () => {
      session.close();
      (host.root.host as HTMLElement).style.display = 'none';
    },

    reset: () => session.reset(),

    close: () => session.close(),
    toggle: () => toggle(),
    isOpen: () => session.isOpen.value,
    unreadCount: () => session.unread.value,
    ready: () => Promise.resolve(),
    identify: (visitor) => {
      if (visitor && typeof visitor === 'object') session.identify(visitor as VisitorInfo);
    },
    send: (what) => {
      // Before a chat runs, a line is not dropped: it pre-fills the composer (as open({ message })).
      if (typeof what === 'string' && !running()) return void (session.draft.value = what);
      if (typeof what === 'string') return session.send(what);
      if (what && typeof what === 'object' && 'card' in what) return session.sendCard((what as { card: Card }).card);
      console.error('Confab: send takes a string or { card }.');
      return undefined;
    },
    setLocale: (tag) => setLocale(String(tag)),
    on: (name, fn) => {
      if (typeof fn !== 'function' || typeof name !== 'string') return undefined;
      const key = `${name}`;
      const listener = fn as (d: unknown) => void;
      // The session's own events, else one of chat-events.ts's (any other name never fires).
      let chat = chatListeners.get(name);
      if (!chat && name !== 'ready' && !PUBLIC_EVENTS.includes(name as keyof SessionEventMap)) chatListeners.set(name, (chat = new Set()));
      chat?.add(listener);
      const off = name === 'ready' ? onReady(listener) : chat ? () => chat.delete(listener) : session.on(name as keyof SessionEventMap, listener);
      subscriptions.set(fn, { ...subscriptions.get(fn), [key]: off });
      return () => methods.off?.(name, fn);
    },
    off: (name, fn) => {
      const byName = subscriptions.get(fn);
      byName?.[String(name)]?.();
      if (byName) delete byName[String(name)];
    },
    destroy: () => {
      if (destroyed) return;
      destroyed = true;
      for (const c of cleanups.splice(0).reverse()) c();
      session.destroy();
      guest?.stop();
      host.root.host.remove();
    },
  };

  // update, pageView, setMessages, setTheme: in the lazy chunk (api-extras.ts), in call order.
  for (const name of ['update', 'pageView', 'setMessages', 'setTheme'] as const) {
    methods[name] = (...args) => {
      const now = running();
      void extras().then((x) => x.call(name, args, now));
    };
  }

  const handle: AppHandle = {
    call(method, args) {
      if (destroyed) return undefined;
      const fn = methods[method];
      if (!fn) {
        console.error(`Confab: unknown command "${method}".`);
        return undefined;
      }
      return fn(...args);
    },
  };
  const onLauncher = () => toggle(true);
  launcher.addEventListener('click', onLauncher);
  cleanups.push(() => launcher.removeEventListener('click', onLauncher));
  guest?.start(handle, open, session);
  host.ready();
  dispatchPublic(host.name, 'ready', {});
  // Its own task, after the visitor's input: the window's render, then its style and layout at the next frame.
  void yieldToInput().then(() => (warm.value = !session.isOpen.peek()));
  return handle;
}
