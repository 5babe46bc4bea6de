/**
 * One widget's host-page part, shared by the script-tag loader (dist/confab.js) and the npm
 * entry (`import { mount } from 'confab'`): install the `Confab(...)` command queue, paint an
 * accessible launcher in an open shadow root, and load the app on intent (hover, focus,
 * touch), on click, on `data-open`, or at once when the visitor has a chat going from an
 * earlier page. When the page is idle (never under Save-Data or 2G) the app's chunks are only
 * fetched into the HTTP cache (`<link rel=prefetch>`), not parsed or run: a visitor who never
 * reaches for the chat pays no main-thread time for it (issue 27). (data-mode="iframe" loads
 * its frame at idle, as before: see below.) It must stay tiny: the
 * loader's budget is 3 KB gzip. Nothing is written to storage and no connection is opened.
 *
 * `destroy` works at any moment, before the app has loaded too, and leaves nothing behind: no
 * element, listener, timer or dispatcher entry (a framework's mount → destroy → mount leaves one
 * launcher). Nothing touches `window` until a widget starts (server-side rendering imports this).
 *
 * Several widgets may share a page (two script tags, or `<confab-chat>` elements): each
 * has a name (`data-name`, else its vendor). `Confab('open')` speaks to every widget,
 * `Confab('sales:open')` to the one named "sales".
 */
import type { AppHandle, AppModule, LoaderHost } from './app-api';
import { onColor } from '../core/contrast';
import { parseOptions } from './options';
import launcherCss from './launcher.css?inline';
import { adoptCss } from './css';

/** Where the app comes from: by URL beside confab.js, or bundled (npm). */
export interface AppSource {
  base: string;
  app(): Promise<AppModule>;
  frameHost(): Promise<AppModule>;
  /**
   * At idle: bring the chunks `app()` will import into the HTTP cache without running them.
   * Not `modulepreload`, which parses and compiles them on the main thread before anyone
   * asked. The npm entry has none (the site's bundler owns its chunks): nothing at idle.
   */
  warm?(): void;
}

type Args = unknown[];
interface Widget {
  name: string;
  call(method: string, args: Args): unknown;
}
/**
 * `add` registers a widget; `w` is the registered widgets (destroy takes its own out), and marks
 * the dispatcher as loaded (the README's stub has a queue `q` instead).
 */
export type Dispatcher = ((...args: Args) => unknown) & { q?: Iterable<unknown>[]; add?: (w: Widget) => void; w?: Set<Widget> };

/**
 * Calls that set up state rather than act once: kept from before the widgets loaded, each
 * widget that registers hears them (`off` is never kept: it drops the `on` it undoes).
 */
const STICKY = ['on', 'identify', 'setLocale', 'setTheme'];

/**
 * The shadow root's content: one string weighs less than DOM calls. (No type="button": a
 * button in a shadow root belongs to no form.)
 */
const LAUNCHER_HTML =
  '<div></div><button class="launcher" aria-expanded="false"><svg viewBox="0 0 24 24" width="28" height="28"><path fill="currentColor" d="M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H8l-4 4V6a2 2 0 0 1 2-2z"/></svg><span class="badge" hidden></span></button>';

/** Nothing here touches `window` until a widget starts: importing the npm entry is SSR-safe. */
export function dispatcher(): Dispatcher {
  const win = window as unknown as { Confab?: Dispatcher };
  const existing = win.Confab;
  if (existing?.w) return existing;
  const widgets = new Set<Widget>();
  // What a widget registering later must still hear, in call order: the calls that reached no
  // widget (the stub's queue, or `sales:open` while only "support" has loaded: async script
  // tags load in any order). A call made while a widget matched was for the widgets there, and
  // is not kept (`on`/`off` on a loaded page would pile up for good). Sticky calls set up state,
  // so each widget that registers hears them, a re-mount too; any other call acts once, so it
  // reaches each widget name once (the names it reached are its fourth field).
  let later: [string, string, Args, string[]][] = [];
  const api: Dispatcher = (...raw: Args) => {
    // Unknown commands are refused by the app, which knows the full API.
    // "sales:open" → "sales", "open"; "open" → "", "open".
    const parts = String(raw[0]).split(':', 2);
    const method = parts.pop() as string;
    const target = parts[0] ?? '';
    const args = raw.slice(1);
    let result: unknown;
    let heard = false;
    for (const w of widgets) {
      if (target && w.name != target) continue;
      heard = true;
      // Every widget gets the call (not only until one answers: `on` answers with a function);
      // the first answer is the one returned.
      const answer = w.call(method, args);
      result ??= answer;
    }
    // An `off` drops the kept `on` it undoes, so a widget registering later (or mounted again)
    // does not listen. Matched on event and function only, whatever the widget names: the
    // loader's byte budget, and a page rarely unsubscribes one widget from a listener it gave all.
    if (method == 'off') later = later.filter(([, m, a]) => m != 'on' || a[0] !== args[0] || a[1] !== args[1]);
    else if (!heard) later.push([target, method, args, []]);
    // `on` answers with its unsubscribe function even when several widgets listen.
    return method == 'on' ? () => api('off', ...args) : result;
  };
  api.w = widgets;
  api.add = (w) => {
    widgets.add(w);
    for (const [target, method, args, reached] of later)
      if ((!target || target == w.name) && (STICKY.includes(method) || (!reached.includes(w.name) && reached.push(w.name)))) w.call(method, args);
  };
  win.Confab = api;
  // The stub's queue: no widget has registered yet, so each call waits in `later`.
  for (const args of existing?.q ?? []) api(...args);
  return api;
}

function saveData(): boolean {
  const c = (navigator as Navigator & { connection?: { saveData?: boolean; effectiveType?: string } }).connection;
  // '2g' and 'slow-2g'; no connection info (test(undefined) reads "undefined") is neither.
  return !!c?.saveData || /2g$/.test(c?.effectiveType as string);
}

/** Paint one widget into `el` and register it with the dispatcher; returns its API, or null. */
export function startWidget(
  el: HTMLElement,
  raw: Record<string, string>,
  source: AppSource,
  fullPage: boolean,
): ((method: string, ...args: unknown[]) => unknown) | null {
  const api = dispatcher();
  const parsed = parseOptions(raw);
  if (typeof parsed == 'string') {
    console.error(`Confab: ${parsed}`);
    return null;
  }
  const root = el.attachShadow({ mode: 'open' });
  root.innerHTML = LAUNCHER_HTML;
  // LAUNCHER_HTML's elements, taken before a <style> may be prepended.
  const [container, launcher] = root.children as unknown as [HTMLElement, HTMLButtonElement];
  adoptCss(root, launcherCss, parsed.all.nonce);
  launcher.classList.add(parsed.position);
  launcher.setAttribute('aria-label', parsed.all.launcherLabel || 'Open chat');
  if (parsed.color) {
    el.style.setProperty('--confab-color', parsed.color);
    el.style.setProperty('--confab-on-color', onColor(parsed.color));
  }
  el.dataset.theme = parsed.theme;
  // embed.html has no launcher; data-launcher="none": the site opens the chat from its own button.
  if (fullPage || parsed.all.launcher == 'none') launcher.remove();
  if (!el.isConnected) document.body.append(el); // the loader runs once <body> exists

  const name = parsed.all.name || parsed.vendor;
  const storageKey = `confab:${parsed.vendor}:${parsed.all.server ?? parsed.all.relay ?? parsed.all.sdkAppId ?? ''}`;
  let resolveReady!: () => void;
  const ready = new Promise<void>((r) => (resolveReady = r));
  const host: LoaderHost = {
    root,
    launcher,
    badge: launcher.lastChild as HTMLElement,
    container,
    options: parsed,
    fullPage,
    storageKey,
    base: source.base,
    name,
    ready: resolveReady,
  };

  let app: AppHandle | null = null;
  const queue: [string, Args][] = [];
  let loading: Promise<void> | null = null;
  const iframe = parsed.all.mode == 'iframe' && !fullPage;
  function load(): Promise<void> {
    loading ??= (iframe ? source.frameHost() : source.app())
      // The app boots in slices that yield to input (app.ts): a promise of its handle.
      .then((mod: AppModule) => mod.boot(host))
      .then((handle) => {
        app = handle;
        // Destroyed while loading: the queue starts with that destroy.
        for (const [m, a] of queue.splice(0)) app.call(m, a);
      })
      .catch((err: unknown) => {
        loading = null; // a later click may try again
        console.error('Confab:', err);
        launcher.removeAttribute('aria-busy');
      });
    return loading;
  }

  // Undone by destroy, at any moment (before the app has loaded too): the element, the
  // dispatcher's entry, the idle preload's callback or timer and its load listener. The
  // launcher's own listeners go with the element.
  let preloadId: number | undefined;
  let resumeId: ReturnType<typeof setTimeout>;
  // Not in every engine (Safari): then a timer.
  const idle = self.requestIdleCallback as typeof requestIdleCallback | undefined;
  // data-mode="iframe" still loads its frame at idle: a chat going on lives in the frame's
  // own storage, which this page cannot see, and the frame restores it without a click.
  const warm = () => (iframe ? load() : loading || source.warm?.());
  const preload = () => (preloadId = idle ? idle(warm, { timeout: 4000 }) : (setTimeout(warm, 2000) as unknown as number));

  const widget: Widget = {
    name,
    call(method, args) {
      // destroy, at any moment: the booted app undoes its own part (then ignores every call).
      // Before that the queue is dropped and holds this destroy first, so a load under way (or
      // one a later call starts) boots an app that is destroyed before it hears anything else:
      // it never connects. Twice is harmless.
      if (method == 'destroy') {
        api.w!.delete(widget);
        el.remove();
        removeEventListener('load', preload);
        (idle ? cancelIdleCallback : clearTimeout)(preloadId as number); // undefined: nothing to cancel
        clearTimeout(resumeId);
        queue.length = 0;
      }
      if (app) return app.call(method, args);
      // A page that waits for `ready` needs the app: asking for it loads it, as open does.
      if (method == 'ready') return load(), ready;
      if (method == 'isOpen') return false;
      if (method == 'unreadCount') return 0;
      // on/off are replayed in order once the app is there, so an early off cancels an early on.
      queue.push([method, args]);
      // on('ready', fn) too; and hide, which the launcher the app owns must obey at once.
      if (method == 'open' || method == 'toggle' || method == 'hide' || args[0] == 'ready') void load();
      return undefined;
    },
  };
  api.add!(widget);

  // The app owns the launcher's clicks once loaded; until then a click is a queued toggle.
  launcher.addEventListener('click', () => app || (launcher.setAttribute('aria-busy', 'true'), widget.call('toggle', [])));
  // Intent: pointer events cover mouse, pen and touch (pointerenter comes before touchstart);
  // focus covers the keyboard.
  for (const intent of ['pointerenter', 'focus']) launcher.addEventListener(intent, load, { once: true });

  // A chat going on from an earlier page loads the app at once, in a task of its own after this
  // one (issue 27): the first sessionStorage read waits on the browser process, which the
  // launcher's paint need not (it was most of the loader's one long task).
  resumeId = setTimeout(() => {
    try {
      if (sessionStorage.getItem(`${storageKey}:session`)) void load();
    } catch {
      // storage blocked: nothing to resume
    }
  });
  // In an iframe the host page decides when the window opens; a plain embed.html opens at once.
  const autoOpen = parsed.open || (fullPage && raw.frame != '1');
  if (autoOpen) queue.push(['open', []]);
  if (autoOpen || fullPage) void load();
  else if (!saveData()) {
    if (document.readyState == 'complete') preload();
    else addEventListener('load', preload, { once: true });
  }
  return (method, ...args) => widget.call(method, args);
}
