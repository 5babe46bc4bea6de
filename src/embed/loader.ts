/**
 * dist/confab.js — the only code a host page runs at load. It must stay tiny (≤ 3 KB gzip):
 * read the options, install the `Confab(...)` command queue, paint an accessible launcher
 * in an open shadow root, and load the app chunk from beside itself on intent (hover,
 * focus, touch), when the page is idle (never under Save-Data or 2G), on click, on
 * `data-open`, or at once when the visitor has a chat going from an earlier page.
 * Nothing is written to storage and no connection is opened here.
 */
import { API_METHODS, type AppHandle, type AppModule, type LoaderHost } from './app-api';
import { datasetOptions, parseOptions, queryOptions } from './options';
import launcherCss from './launcher.css?inline';

declare const __CONFAB_APP__: string;

type Queued = ArrayLike<unknown>;
type ConfabFn = ((...args: unknown[]) => unknown) & { q?: Queued[]; loaded?: boolean };

const CHAT_ICON =
  '<svg viewBox="0 0 24 24" width="28" height="28" aria-hidden="true" focusable="false"><path fill="currentColor" d="M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H8l-4 4V6a2 2 0 0 1 2-2z"/></svg>';

function currentScript(): HTMLScriptElement | null {
  const s = document.currentScript;
  if (s instanceof HTMLScriptElement) return s;
  const all = document.querySelectorAll<HTMLScriptElement>('script[src*="confab"]');
  return all[all.length - 1] ?? null;
}

function saveData(): boolean {
  const c = (navigator as Navigator & { connection?: { saveData?: boolean; effectiveType?: string } }).connection;
  return !!c && (!!c.saveData || /(^|-)2g$/.test(c.effectiveType ?? ''));
}

function start(): void {
  const w = window as unknown as { Confab?: ConfabFn };
  const existing = w.Confab;
  if (existing?.loaded) return; // the script was included twice: the first one wins
  const script = currentScript();
  const fullPage = script?.dataset.embed === 'page';
  const raw = fullPage ? queryOptions(location.search) : script ? datasetOptions(script) : {};
  const parsed = parseOptions(raw);
  const queue: Queued[] = existing?.q ? [...existing.q] : [];
  let app: AppHandle | null = null;

  const api: ConfabFn = (...args: unknown[]) => {
    if (app) return app.call(String(args[0]), args.slice(1));
    queue.push(args);
    if (args[0] === 'open' || args[0] === 'toggle') load();
    return undefined;
  };
  api.loaded = true;
  w.Confab = api;

  if (typeof parsed === 'string') {
    console.error(`Confab: ${parsed} The chat widget was not started.`);
    app = { call: () => undefined }; // calls become no-ops; the host page never breaks
    return;
  }

  const el = document.createElement('confab-chat');
  const root = el.attachShadow({ mode: 'open' });
  const style = document.createElement('style');
  style.textContent = launcherCss;
  const container = document.createElement('div');
  container.className = 'window-slot';
  const launcher = document.createElement('button');
  launcher.type = 'button';
  launcher.className = `launcher ${parsed.position}`;
  launcher.setAttribute('aria-label', 'Open chat');
  launcher.setAttribute('aria-expanded', 'false');
  launcher.innerHTML = CHAT_ICON;
  const badge = document.createElement('span');
  badge.className = 'badge';
  badge.hidden = true;
  launcher.append(badge);
  if (parsed.color) el.style.setProperty('--confab-color', parsed.color);
  el.setAttribute('data-theme', parsed.theme);
  root.append(style, container);
  if (!fullPage) root.append(launcher);
  else el.setAttribute('data-full-page', '');
  (document.body ?? document.documentElement).append(el);

  const storageKey = `confab:${parsed.vendor}:${parsed.all.server ?? parsed.all.relay ?? parsed.all.sdkAppId ?? ''}`;
  const host: LoaderHost = { root, launcher, badge, container, options: parsed, fullPage, storageKey };

  let loading: Promise<void> | null = null;
  function load(): Promise<void> {
    loading ??= import(/* @vite-ignore */ new URL(__CONFAB_APP__, script?.src ?? location.href).href)
      .then((mod: AppModule) => {
        app = mod.boot(host);
        for (const args of queue.splice(0)) app.call(String(args[0]), Array.prototype.slice.call(args, 1));
      })
      .catch((err: unknown) => {
        loading = null; // a later click may try again
        console.error('Confab: the chat could not be loaded.', err);
        launcher.removeAttribute('aria-busy');
      });
    return loading;
  }

  launcher.addEventListener('click', () => {
    if (app) return; // the app owns the launcher's clicks once loaded
    launcher.setAttribute('aria-busy', 'true');
    queue.push(['toggle']);
    void load();
  });
  for (const intent of ['pointerenter', 'focus', 'touchstart']) {
    launcher.addEventListener(intent, () => void load(), { once: true, passive: true });
  }

  let resuming = false;
  try {
    resuming = !!sessionStorage.getItem(storageKey);
  } catch {
    // storage blocked: nothing to resume
  }
  if (parsed.open || fullPage) queue.push(['open']);
  if (parsed.open || fullPage || resuming) void load();
  else if (!saveData()) {
    const idle = (window as Window & { requestIdleCallback?: (cb: () => void, o?: { timeout: number }) => void })
      .requestIdleCallback;
    const preload = () => void load();
    if (document.readyState === 'complete') idle ? idle(preload, { timeout: 4000 }) : setTimeout(preload, 2000);
    else addEventListener('load', () => (idle ? idle(preload, { timeout: 4000 }) : setTimeout(preload, 2000)), { once: true });
  }
  // Calls that are not part of the API are refused once, by name.
  for (const args of queue) {
    if (!(API_METHODS as readonly unknown[]).includes(args[0])) console.error(`Confab: unknown command "${String(args[0])}".`);
  }
}

if (document.body) start();
else document.addEventListener('DOMContentLoaded', start, { once: true });
