/**
 * data-mode="iframe": the launcher stays in the host page (so it paints at once) and the
 * window is an iframe of embed.html, for sites that want hard isolation. This chunk runs
 * in the host page instead of the app: it loads the frame as the in-page mode loads its app
 * (this chunk is loaded when the app would be), and bridges the JS API over postMessage —
 * always to the frame's exact origin, and only accepting messages whose origin AND source
 * are that frame. Anything else is ignored.
 *
 * What only the host page's document can do stays here, so the API and the page behave as
 * in-page: the launcher (labels in the visitor's language, from the frame; setTheme colours),
 * the unread count in the page's title, and the scroll lock while the window fills a narrow
 * screen. A frame that has not said it is ready is never shown, so a frame that fails to load
 * never covers the page.
 */
import { CLOSE_ICON, type AppHandle, type FrameMessage, type LoaderHost } from './app-api';
import { dispatchPublic } from './events';
import frameCss from './frame.css?inline';
import launcherAppCss from './launcher-app.css?inline';
import { adoptCss } from './css';
import { invalidOptions } from './options';
import { fullScreenLock, unreadTitle } from './host-page';
import { applyTheme } from './theme';

/** How long the frame may take to say it is ready before we give up on it (ms). */
const FRAME_TIMEOUT = 15000;

type Listener = (detail: unknown) => void;

export function boot(host: LoaderHost): AppHandle {
  const { launcher, badge, container, options } = host;
  const frameOrigin = new URL(host.base).origin;
  const listeners = new Map<string, Set<Listener>>();
  const pending: FrameMessage[] = [];
  let state = { open: false, unread: 0 };
  // Where focus goes back when the window closes: the launcher, or with data-launcher="none" the
  // site's own control that opened the window.
  let opener: HTMLElement | null = launcher;
  // The window as the frame last reported it. A chat restored open after a navigation says so
  // at the frame's first moment, before it is ready: it is applied on ready.
  let guestOpen = false;
  // English until the frame, which has the translations, sends the visitor's language.
  let labels = { open: options.all.launcherLabel || 'Open chat', close: 'Close chat', unread: '' };
  let frame: HTMLIFrameElement | null = null;
  let ready = false;
  let resolveReady: () => void = () => undefined;
  const readyPromise = new Promise<void>((r) => (resolveReady = r));
  let giveUp: ReturnType<typeof setTimeout> | undefined;
  const icon = launcher.querySelector('path');
  const bubble = icon?.getAttribute('d') ?? '';

  // Options the loader replaced by their defaults: named here, once (the frame gets the defaults).
  for (const message of invalidOptions(options.all)) console.error(`Confab: ${message}`);

  const post = (message: FrameMessage) => {
    if (!frame?.contentWindow || !ready) return void pending.push(message);
    try {
      frame.contentWindow.postMessage(message, frameOrigin);
    } catch (err) {
      console.error('Confab: that call cannot cross into the chat frame.', err); // e.g. a function argument
    }
  };

  // The unread count is the launcher's description, not its name, as in-page.
  const described = document.createElement('span');
  described.id = 'confab-unread';
  described.hidden = true;
  host.root.append(described);
  launcher.setAttribute('aria-describedby', described.id);

  const title = unreadTitle(
    () => state.unread,
    () => state.open && ready,
  );
  const lock = fullScreenLock(container);

  const render = () => {
    // The window shows only once the frame has said it is ready; until then a click that asked
    // for it leaves the launcher busy, as in-page while the app loads.
    const shown = state.open && ready;
    launcher.setAttribute('aria-label', shown ? labels.close : labels.open);
    launcher.setAttribute('aria-expanded', String(shown));
    if (state.open && !ready) launcher.setAttribute('aria-busy', 'true');
    else launcher.removeAttribute('aria-busy');
    icon?.setAttribute('d', shown ? CLOSE_ICON : bubble);
    badge.hidden = state.unread === 0 || shown;
    badge.textContent = state.unread > 99 ? '99+' : String(state.unread);
    badge.setAttribute('aria-hidden', 'true');
    described.textContent = shown ? '' : labels.unread;
    if (frame) frame.hidden = !shown;
    lock.set(shown);
    title.update();
  };

  const emit = (name: string, detail: unknown) => {
    dispatchPublic(host.name, name, detail);
    for (const fn of listeners.get(name) ?? []) fn(detail);
  };
  // `ready` listeners hear it once, also when added after it happened (see onReady in events.ts).
  const hearReady = () =>
    queueMicrotask(() => {
      const set = listeners.get('ready');
      for (const fn of set ?? []) {
        set?.delete(fn);
        fn({});
      }
    });

  const onMessage = (event: MessageEvent) => {
    if (!frame || event.origin !== frameOrigin || event.source !== frame.contentWindow) return;
    const data = event.data as FrameMessage | null;
    if (!data || typeof data !== 'object' || typeof data.confab !== 'string') return;
    switch (data.confab) {
      case 'ready':
        if (ready) return;
        ready = true;
        clearTimeout(giveUp);
        // Open if the frame restored an open window, or the visitor asked meanwhile (the queued
        // calls follow and settle it).
        state = { ...state, open: state.open || guestOpen };
        render(); // shown before the queued open arrives, so the frame can take focus
        for (const m of pending.splice(0)) post(m);
        resolveReady();
        host.ready();
        dispatchPublic(host.name, 'ready', {});
        hearReady();
        return;
      case 'state': {
        // The frame reports its state from its first moment, before it is ready: until then
        // the visitor's click (open, waiting for the frame) is what the launcher shows.
        guestOpen = !!data.open;
        state = { open: ready ? guestOpen : state.open, unread: Number(data.unread) || 0 };
        const text = (v: unknown, fallback: string) => (typeof v === 'string' && v ? v : fallback);
        labels = {
          open: text(data.openLabel, labels.open),
          close: text(data.closeLabel, labels.close),
          unread: typeof data.unreadLabel === 'string' ? data.unreadLabel : '',
        };
        render();
        return;
      }
      case 'event': {
        if (typeof data.name !== 'string' || data.name === 'ready') return;
        emit(data.name, data.detail);
        const sender = (data.detail as { sender?: unknown } | null)?.sender;
        if (data.name === 'message' && typeof sender === 'string') title.line(sender);
        return;
      }
      case 'preview':
        // The launcher's preview card (issue 25 item 14), its own chunk: the frame sends the first
        // line to show, then '' to hide it (the window opened, the line was read).
        void import('./preview-card').then((m) => m.hostPreview(host, data, onLauncher));
        return;
      case 'minimise':
        state = { ...state, open: false };
        render();
        opener?.focus();
        return;
    }
  };
  addEventListener('message', onMessage);

  adoptCss(host.root, frameCss + launcherAppCss, options.all.nonce);

  const ensureFrame = () => {
    if (frame) return;
    // The frame gets the values the loader settled on, so it does not log the host's errors again.
    const query = new URLSearchParams({ ...options.all, theme: options.theme, position: options.position, frame: '1', origin: location.origin });
    query.delete('mode');
    if (options.color) query.set('color', options.color);
    else query.delete('color');
    frame = document.createElement('iframe');
    frame.title = options.all.title || 'Chat';
    frame.className = `frame ${options.position}`;
    frame.hidden = true;
    frame.setAttribute('allow', 'clipboard-write');
    // The frame checks our origin against its referrer (frame-origin.ts): send it whatever this page's own policy.
    frame.referrerPolicy = 'origin';
    frame.src = new URL(`embed.html?${query}`, host.base).href;
    container.append(frame);
    // A frame that never answers is dropped (it was never shown); the next open tries again.
    giveUp = setTimeout(() => {
      if (ready) return;
      console.error('Confab: the chat frame did not load.');
      frame?.remove();
      frame = null;
      pending.length = 0;
      state = { open: false, unread: state.unread };
      render();
    }, FRAME_TIMEOUT);
  };

  /**
   * The frame cannot tell who opened it (the host page's clicks never activate it), so each
   * open says whether it answers the visitor, who then expects focus in the window: the
   * launcher, or a host call made in answer to a click or key press (transient user
   * activation), as in-page. data-open (replayed as the first open) leaves focus on the page.
   */
  let autoOpen = options.open;
  const activated = (): boolean => (navigator as { userActivation?: { isActive: boolean } }).userActivation?.isActive ?? true;
  const setOpen = (open: boolean, byVisitor: boolean, message?: unknown) => {
    if (open && !state.open) opener = launcher.isConnected ? launcher : (document.activeElement as HTMLElement | null);
    ensureFrame();
    state = { ...state, open };
    render();
    post({ confab: 'call', method: open ? 'open' : 'close', args: message === undefined ? [byVisitor] : [byVisitor, message] });
  };

  const onLauncher = () => setOpen(!state.open, true);
  launcher.addEventListener('click', onLauncher);
  let destroyed = false;
  // Loaded now, as the in-page app is: ready() and `on('ready')` do not wait for a first open,
  // and a chat going on from an earlier page resumes in the frame (its storage is the frame's).
  ensureFrame();
  render();

  return {
    call(method, args) {
      if (destroyed) return undefined;
      switch (method) {
        case 'open': {
          const byVisitor = !autoOpen && activated();
          autoOpen = false;
          return setOpen(true, byVisitor, (args[0] as { message?: unknown } | undefined)?.message);
        }
        case 'close':
          return setOpen(false, false);
        case 'toggle':
          return setOpen(!state.open, activated());
        case 'show':
        case 'hide':
          // The host page's element (launcher and frame); the frame is told to close on hide.
          (host.root.host as HTMLElement).style.display = method === 'hide' ? 'none' : '';
          if (method === 'hide') setOpen(false, false);
          return undefined;
        case 'isOpen':
          return state.open;
        case 'unreadCount':
          return state.unread;
        case 'ready':
          return readyPromise;
        case 'on': {
          const [name, fn] = args;
          if (typeof name !== 'string' || typeof fn !== 'function') return undefined;
          const set = listeners.get(name) ?? new Set();
          set.add(fn as Listener);
          listeners.set(name, set);
          if (name === 'ready' && ready) hearReady();
          return () => set.delete(fn as Listener);
        }
        case 'off':
          listeners.get(String(args[0]))?.delete(args[1] as Listener);
          return undefined;
        case 'destroy':
          destroyed = true;
          removeEventListener('message', onMessage);
          launcher.removeEventListener('click', onLauncher);
          clearTimeout(giveUp);
          title.stop();
          lock.stop();
          host.root.host.remove();
          return undefined;
        case 'setTheme':
          // The host page's launcher takes the colour too; the frame only gets a valid theme.
          if (applyTheme(host, args[0])) post({ confab: 'call', method, args: [...args] });
          return undefined;
        default:
          // identify, send, setLocale: data only (functions cannot cross frames).
          ensureFrame();
          post({ confab: 'call', method, args: [...args] });
          return undefined;
      }
    },
  };
}
