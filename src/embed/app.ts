/**
 * The app chunk (dist/assets/app-*.js): loaded by the loader on intent, it builds the
 * session over the vendor's lazily imported transport, renders the window, drives the
 * launcher's label and badge, and answers the public JS API.
 */
import { effect } from '@preact/signals';
import type { Card, VisitorInfo } from '../core/contract';
import { createSession } from '../core/session';
import type { Session, SessionEventMap } from '../core/session-api';
import { isVendor, loadTransport } from '../transports/registry';
import { mountWindow } from '../ui/app';
import type { AppHandle, LoaderHost } from './app-api';
import { API_METHODS } from './app-api';

function safeStorage(kind: 'sessionStorage' | 'localStorage'): Storage | null {
  try {
    return window[kind];
  } catch {
    return null; // blocked by the browser's privacy settings
  }
}

export function boot(host: LoaderHost): AppHandle {
  const { options } = host;
  const vendor = options.vendor;
  if (!isVendor(vendor)) throw new Error(`unknown vendor ${vendor}`);
  const session: Session = createSession({
    loadTransport: () => loadTransport(vendor).then((m) => m.createTransport),
    transportOptions: {
      options: options.all,
      locale: options.locale,
      pageUrl: location.href,
      referrer: document.referrer,
      userAgent: navigator.userAgent,
    },
    storage: safeStorage('sessionStorage'),
    durableStorage: safeStorage('localStorage'),
    storageKey: host.storageKey,
  });

  const { launcher, badge } = host;
  const stopLauncherSync = effect(() => {
    const open = session.isOpen.value;
    const unread = session.unread.value;
    launcher.setAttribute('aria-label', open ? 'Close chat' : 'Open chat');
    launcher.setAttribute('aria-expanded', String(open));
    launcher.removeAttribute('aria-busy');
    badge.hidden = unread === 0 || open;
    badge.textContent = unread > 99 ? '99+' : String(unread);
    badge.setAttribute('aria-hidden', 'true');
  });
  // The unread count is part of the launcher's description, not its name, so "Open chat" stays stable.
  const described = document.createElement('span');
  described.id = 'confab-unread';
  described.hidden = true;
  host.root.append(described);
  launcher.setAttribute('aria-describedby', described.id);
  const stopDescribe = effect(() => {
    const n = session.unread.value;
    described.textContent = n && !session.isOpen.value ? `${n} unread ${n === 1 ? 'message' : 'messages'}` : '';
  });

  const toggle = () => (session.isOpen.value ? session.close() : session.open());
  const onLauncher = () => toggle();
  launcher.addEventListener('click', onLauncher);

  const unmount = mountWindow(
    host.root,
    host.container,
    session,
    {
      title: options.title,
      position: options.position,
      theme: options.theme,
      color: options.color,
      locale: options.locale,
      fullPage: host.fullPage,
    },
    { focusLauncher: () => launcher.focus() },
  );

  const unsubscribers = new Map<(d: unknown) => void, () => void>();
  let destroyed = false;

  const methods: Record<(typeof API_METHODS)[number], (...a: unknown[]) => unknown> = {
    open: () => session.open(),
    close: () => session.close(),
    toggle,
    identify: (visitor) => {
      if (visitor && typeof visitor === 'object') session.identify(visitor as VisitorInfo);
    },
    send: (what) => {
      if (typeof what === 'string') return session.send(what);
      if (what && typeof what === 'object' && 'card' in what) return session.sendCard((what as { card: Card }).card);
      console.error('Confab: send takes a string or { card }.');
      return undefined;
    },
    on: (name, fn) => {
      if (typeof fn !== 'function' || typeof name !== 'string') return undefined;
      const off = session.on(name as keyof SessionEventMap, fn as (d: unknown) => void);
      unsubscribers.set(fn as (d: unknown) => void, off);
      return off;
    },
    off: (_name, fn) => {
      unsubscribers.get(fn as (d: unknown) => void)?.();
      unsubscribers.delete(fn as (d: unknown) => void);
    },
    destroy: () => {
      if (destroyed) return;
      destroyed = true;
      launcher.removeEventListener('click', onLauncher);
      stopLauncherSync();
      stopDescribe();
      unmount();
      session.destroy();
      host.root.host.remove();
    },
  };

  return {
    call(method, args) {
      if (destroyed) return undefined;
      const fn = (methods as Record<string, ((...a: unknown[]) => unknown) | undefined>)[method];
      if (!fn) {
        console.error(`Confab: unknown command "${method}". Known: ${API_METHODS.join(', ')}.`);
        return undefined;
      }
      return fn(...args);
    },
  };
}
