/**
 * dist/confab.js — the only code a host page runs at load (≤ 3 KB gzip). It starts a widget
 * for its own script tag (options in data-* attributes), for embed.html (options in the
 * query string), and defines `<confab-chat>` for pages that write the element themselves.
 * The app and the frame host are chunks loaded from beside this script.
 */
import type { AppModule } from './app-api';
import { pairOptions } from './options';
import { dispatcher, startWidget, type AppSource } from './widget';

declare const __CONFAB_APP__: string;
declare const __CONFAB_FRAME_HOST__: string;
declare const __CONFAB_SHARED__: string;

function main(): void {
  const script = document.currentScript as HTMLScriptElement | null;
  const base = script?.src || new URL('confab.js', location.href).href;
  // Both entries import the shared chunk: asked for at once, it is not one more round trip
  // after the entry has arrived (a failure shows through the entry's own import).
  const url = (file: string) => new URL(file, base).href;
  const chunk = (file: string) => (): Promise<AppModule> => (
    import(/* @vite-ignore */ url(__CONFAB_SHARED__)).catch(() => 0),
    import(/* @vite-ignore */ url(file))
  );
  const source: AppSource = {
    base,
    app: chunk(__CONFAB_APP__),
    frameHost: chunk(__CONFAB_FRAME_HOST__),
    // Into the HTTP cache at idle, not run (see AppSource.warm). crossorigin: the same
    // credentials mode as import(), so the cached copy is the one import() takes.
    warm: () =>
      [__CONFAB_SHARED__, __CONFAB_APP__].map((file) =>
        document.head.append(Object.assign(document.createElement('link'), { rel: 'prefetch', crossOrigin: '', href: url(file) })),
      ),
  };
  const run = () => {
    dispatcher();
    if (!customElements.get('confab-chat')) {
      customElements.define(
        'confab-chat',
        class extends HTMLElement {
          connectedCallback() {
            // Our own elements already have a shadow root when attached; a page's own element
            // without options gets the usual console error naming data-vendor.
            if (!this.shadowRoot) startWidget(this, pairOptions([...this.attributes].map((a) => [a.name, a.value])), source, false);
          }
        },
      );
    }
    const fullPage = script?.dataset.embed === 'page';
    if (fullPage) startWidget(document.createElement('confab-chat'), pairOptions(new URLSearchParams(location.search)), source, true);
    // A script tag with options starts a widget (and names a missing data-vendor); a bare one
    // only defines <confab-chat> for pages that write the element themselves.
    else if (script && Object.keys(script.dataset).length) startWidget(document.createElement('confab-chat'), { ...script.dataset } as Record<string, string>, source, false); // the browser camelCases dataset names
  };
  if (document.body) run();
  else document.addEventListener('DOMContentLoaded', run, { once: true });
}

main();
