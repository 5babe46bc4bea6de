/** `Confab('setTheme', 'dark' | { theme, color })`: the same knobs as data-theme and data-color. */
import { onColor, parseHex } from '../core/contrast';
import type { LoaderHost } from './app-api';

/**
 * Applies the theme to the widget's element (the launcher's colours) and its window, or logs
 * one console error and changes nothing when any part is invalid. Returns whether it applied,
 * so the frame host passes on to its frame only what the frame will accept (no second error).
 */
export function applyTheme(host: LoaderHost, input: unknown): boolean {
  const spec = typeof input === 'string' ? { theme: input } : ((input ?? {}) as { theme?: unknown; color?: unknown });
  const el = host.root.host as HTMLElement;
  const { theme } = spec;
  if (theme !== undefined && theme !== 'light' && theme !== 'dark' && theme !== 'auto') {
    console.error('Confab: setTheme takes "light", "dark", "auto" or { theme, color }.');
    return false;
  }
  const color = spec.color === undefined ? undefined : parseHex(typeof spec.color === 'string' ? spec.color : undefined);
  if (color === null) {
    console.error('Confab: setTheme color must be #rgb or #rrggbb.');
    return false;
  }
  if (theme !== undefined) {
    el.setAttribute('data-theme', theme);
    host.container.dataset.theme = theme;
  }
  if (color) {
    for (const target of [el, host.container]) {
      target.style.setProperty('--confab-color', color);
      target.style.setProperty('--confab-on-color', onColor(color));
    }
  }
  return true;
}
