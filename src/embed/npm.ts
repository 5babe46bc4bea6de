/**
 * The npm entry: `import { mount } from 'confab-chat'` for sites that bundle their own code.
 * The same widget as the script tag, with the app and its transports bundled by the site's
 * bundler (still split into lazy chunks) instead of fetched from beside confab.js. Importing it
 * touches no browser global (server-side rendering): mount() is the first thing that does.
 *
 *   const chat = mount({ vendor: 'whoson', server: 'wss://…', domain: '…', auth: '…', apiKey: '…' });
 *   chat?.('open');
 *   chat?.('destroy'); // at any moment: nothing is left behind
 */
import type { AppModule } from './app-api';
import type { ConfabGlobal, ConfabHandle, ConfabOptions } from './public-api';
import { startWidget } from './widget';

export type * from './public-api';

/** The options as the data-* attributes carry them: strings, booleans as "true" / "false". */
export function optionStrings(options: ConfabOptions): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(options)) if (value !== undefined && value !== null) out[key] = String(value);
  return out;
}

/**
 * Start one widget: its launcher is painted at once (appended to `target`, the body by
 * default); the chat's code loads on intent. Returns its API, or null (with one console error
 * naming the option) when an option is missing or invalid.
 */
export function mount(options: ConfabOptions, target: HTMLElement = document.body): ConfabHandle | null {
  const strings = optionStrings(options);
  const el = document.createElement('confab-chat');
  target.append(el);
  const call = startWidget(
    el,
    strings,
    {
      base: location.href,
      app: () => import('./app') as Promise<AppModule>,
      frameHost: () => Promise.reject(new Error('data-mode="iframe" needs the script tag (embed.html is served beside confab.js)')),
    },
    false,
  );
  if (!call) el.remove();
  return call as ConfabHandle | null;
}

/**
 * The page's `Confab(...)` for one widget by name, or every widget: a function that is safe to
 * hold before any widget is mounted (and during server-side rendering, where it does nothing).
 * Calls made before a widget registers wait for it, as the script tag's queue does.
 */
export function confab(name?: string): ConfabHandle {
  return ((command: string, ...args: unknown[]) => {
    if (typeof window === 'undefined') return undefined;
    const api = (window as { Confab?: ConfabGlobal }).Confab as ((...a: unknown[]) => unknown) | undefined;
    const full = name ? `${name}:${command}` : command;
    if (api) return api(full, ...args);
    // No widget has started yet: the README's stub queue, which the first widget replays.
    const stub = Object.assign((...a: unknown[]) => void (stub.q ??= []).push(a), { q: undefined as unknown[][] | undefined });
    (window as unknown as { Confab: unknown }).Confab = stub;
    stub(full, ...args);
    return undefined;
  }) as ConfabHandle;
}
