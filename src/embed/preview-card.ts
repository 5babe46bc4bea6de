/**
 * The launcher's preview card as DOM (issue 25 item 14): a button beside the launcher with the
 * newest unread agent line's author and first lines; a click opens the chat. Shared by the
 * in-page card (launcher-preview.ts, fed by the session) and the iframe host (frame-host.ts,
 * fed by the frame's `preview` message); text only, through textContent.
 */
import type { LoaderHost } from './app-api';
import { adoptCss } from './css';
import css from './launcher-preview.css?inline';

export interface PreviewCard {
  /**
   * Shows `text` by `who`, or hides the card when `shown` is false or there is no text. Either
   * may come from another window (the frame): anything but a string counts as none, and both are bounded.
   */
  show(who: unknown, text: unknown, shown: boolean): void;
  remove(): void;
}

export function previewCard(host: Pick<LoaderHost, 'root' | 'launcher' | 'options'>, open: () => void): PreviewCard {
  adoptCss(host.root, css, host.options.all.nonce);
  const card = document.createElement('button');
  card.type = 'button';
  card.className = `preview ${host.launcher.classList.contains('left') ? 'left' : 'right'}`;
  card.hidden = true;
  card.onclick = open;
  const author = document.createElement('b');
  const line = document.createElement('span');
  card.append(author, line);
  host.launcher.before(card);
  return {
    show(who, text, shown) {
      const str = (v: unknown, max: number) => (typeof v === 'string' ? v.slice(0, max) : '');
      card.hidden = !str(text, 1) || !shown;
      author.textContent = str(who, 100);
      line.textContent = str(text, 300);
    },
    remove: () => card.remove(),
  };
}

const hostCards = new WeakMap<object, PreviewCard>();

/**
 * In iframe mode (frame-host.ts): the frame's `preview` message, `{who, text}` with '' for none,
 * shown on the host page's card (one per widget).
 */
export function hostPreview(host: Pick<LoaderHost, 'root' | 'launcher' | 'options'>, data: { who?: unknown; text?: unknown }, open: () => void): void {
  let card = hostCards.get(host);
  if (!card) hostCards.set(host, (card = previewCard(host, open)));
  card.show(data.who, data.text, true);
}
