/** `Confab('setTheme', 'dark' | { theme, color })`: the same knobs as data-theme and data-color. */
import { onColor, parseHex } from '../core/contrast';
import type { LoaderHost } from './app-api';

export function applyTheme(host: LoaderHost, input: unknown): void {
  const spec = typeof input === 'string' ? { theme: input } : ((input ?? {}) as { theme?: unknown; color?: unknown });
  const el = host.root.host as HTMLElement;
  if (spec.theme !== undefined) {
    if (spec.theme !== 'light' && spec.theme !== 'dark' && spec.theme !== 'auto') {
      console.error('Confab: setTheme takes "light", "dark", "auto" or { theme, color }.');
      return;
    }
    el.setAttribute('data-theme', spec.theme);
    host.container.dataset.theme = spec.theme;
  }
  if (spec.color !== undefined) {
    const color = parseHex(typeof spec.color === 'string' ? spec.color : undefined);
    if (!color) {
      console.error('Confab: setTheme color must be #rgb or #rrggbb.');
      return;
    }
    for (const target of [el, host.container]) {
      target.style.setProperty('--confab-color', color);
      target.style.setProperty('--confab-on-color', onColor(color));
    }
  }
}
