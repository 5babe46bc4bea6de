/**
 * The npm entry: `import { mount } from 'confab'` for sites that bundle their own code.
 * The same widget as the script tag, with the app and its transports bundled by the site's
 * bundler (still split into lazy chunks) instead of fetched from beside confab.js.
 *
 *   const chat = mount({ vendor: 'whoson', server: 'wss://…', domain: '…', apiKey: '…' });
 *   chat('open');
 */
import type { AppModule } from './app-api';
import { startWidget } from './widget';

export type ConfabCall = (method: string, ...args: unknown[]) => unknown;

/** Options as in the data-* attributes, camelCased (`api-key` → `apiKey`). */
export type MountOptions = { vendor: string } & Record<string, string>;

export function mount(options: MountOptions, target: HTMLElement = document.body): ConfabCall | null {
  const el = document.createElement('confab-chat');
  target.append(el);
  const call = startWidget(
    el,
    options,
    {
      base: location.href,
      app: () => import('./app') as Promise<AppModule>,
      frameHost: () => Promise.reject(new Error('data-mode="iframe" needs the script tag (embed.html is served beside confab.js)')),
    },
    false,
  );
  if (!call) el.remove();
  return call;
}
