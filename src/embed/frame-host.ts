/**
 * data-mode="iframe": the launcher stays in the host page (so it paints at once) and the
 * window is an iframe of embed.html, for sites that want hard isolation. This chunk runs
 * in the host page instead of the app: it creates the frame on first use and bridges the
 * JS API over postMessage — always to the frame's exact origin, and only accepting
 * messages whose origin AND source are that frame. Anything else is ignored.
 */
import type { AppHandle, FrameMessage, LoaderHost } from './app-api';
import { dispatchPublic } from './events';
import frameCss from './frame.css?inline';
import { adoptCss } from './css';

/** How long the frame may take to say it is ready before we give up on it (ms). */
const FRAME_TIMEOUT = 15000;

export function boot(host: LoaderHost): AppHandle {
  const { launcher, badge, container, options } = host;
  const frameOrigin = new URL(host.base).origin;
  const listeners = new Map<string, Set<(detail: unknown) => void>>();
  const pending: FrameMessage[] = [];
  let state = { open: false, unread: 0 };
  let frame: HTMLIFrameElement | null = null;
  let ready = false;
  let resolveReady: () => void = () => undefined;
  const readyPromise = new Promise<void>((r) => (resolveReady = r));
  let giveUp: ReturnType<typeof setTimeout> | undefined;

  const post = (message: FrameMessage) => {
    if (!frame?.contentWindow || !ready) return void pending.push(message);
    try {
      frame.contentWindow.postMessage(message, frameOrigin);
    } catch (err) {
      console.error('Confab: that call cannot cross into the chat frame.', err); // e.g. a function argument
    }
  };

  const render = () => {
    launcher.setAttribute('aria-label', state.open ? 'Close chat' : options.all.launcherLabel || 'Open chat');
    launcher.setAttribute('aria-expanded', String(state.open));
    launcher.removeAttribute('aria-busy');
    badge.hidden = state.unread === 0 || state.open;
    badge.textContent = state.unread > 99 ? '99+' : String(state.unread);
    if (frame) frame.hidden = !state.open;
  };

  const onMessage = (event: MessageEvent) => {
    if (!frame || event.origin !== frameOrigin || event.source !== frame.contentWindow) return;
    const data = event.data as FrameMessage | null;
    if (!data || typeof data !== 'object' || typeof data.confab !== 'string') return;
    switch (data.confab) {
      case 'ready':
        ready = true;
        clearTimeout(giveUp);
        for (const m of pending.splice(0)) post(m);
        resolveReady();
        host.ready();
        dispatchPublic(host.name, 'ready', {});
        return;
      case 'state':
        state = { open: !!data.open, unread: Number(data.unread) || 0 };
        render();
        return;
      case 'event':
        if (typeof data.name !== 'string') return;
        dispatchPublic(host.name, data.name, data.detail);
        for (const fn of listeners.get(data.name) ?? []) fn(data.detail);
        return;
      case 'minimise':
        state = { ...state, open: false };
        render();
        launcher.focus();
        return;
    }
  };
  addEventListener('message', onMessage);

  adoptCss(host.root, frameCss, options.all.nonce);

  const ensureFrame = () => {
    if (frame) return;
    const query = new URLSearchParams({ ...options.all, frame: '1', origin: location.origin });
    query.delete('mode');
    frame = document.createElement('iframe');
    frame.title = options.all.title || 'Chat';
    frame.className = `frame ${options.position}`;
    frame.hidden = true;
    frame.setAttribute('allow', 'clipboard-write');
    frame.src = new URL(`embed.html?${query}`, host.base).href;
    container.append(frame);
    // A frame that never answers must not leave a dead box on the page.
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

  const setOpen = (open: boolean) => {
    ensureFrame();
    state = { ...state, open };
    render();
    post({ confab: 'call', method: open ? 'open' : 'close', args: [] });
  };

  const onLauncher = () => setOpen(!state.open);
  launcher.addEventListener('click', onLauncher);
  let destroyed = false;

  return {
    call(method, args) {
      if (destroyed) return undefined;
      switch (method) {
        case 'open':
          return setOpen(true);
        case 'close':
          return setOpen(false);
        case 'toggle':
          return setOpen(!state.open);
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
          set.add(fn as (d: unknown) => void);
          listeners.set(name, set);
          return () => set.delete(fn as (d: unknown) => void);
        }
        case 'off':
          listeners.get(String(args[0]))?.delete(args[1] as (d: unknown) => void);
          return undefined;
        case 'destroy':
          destroyed = true;
          removeEventListener('message', onMessage);
          launcher.removeEventListener('click', onLauncher);
          clearTimeout(giveUp);
          host.root.host.remove();
          return undefined;
        default:
          // identify, send, setLocale, setTheme: data only (functions cannot cross frames).
          ensureFrame();
          post({ confab: 'call', method, args: [...args] });
          return undefined;
      }
    },
  };
}
