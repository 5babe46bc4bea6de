/**
 * An image attachment, shown whole (issue 25 item 13): a modal <dialog> in the widget's
 * shadow root with the picture, its name, "Open original" and "Close". Escape, "Close" or a
 * click beside the picture closes it and the browser gives focus back to the preview. A lazy
 * chunk: only a visitor who opens a picture downloads it.
 */
import { t } from '../core/i18n-views';
import css from './image-viewer.css?inline';

export function viewImage(from: HTMLElement, src: string, name: string, href: string, addStyles?: (css: string) => void): void {
  addStyles?.(css);
  const box = from.closest('.confab') ?? from.getRootNode();
  const dialog = document.createElement('dialog');
  dialog.className = 'confab-viewer';
  dialog.setAttribute('aria-label', name);
  const img = document.createElement('img');
  img.src = src;
  img.alt = name;
  const bar = document.createElement('p');
  const caption = document.createElement('span');
  caption.textContent = name;
  caption.dir = 'auto';
  const open = document.createElement('a');
  open.href = href;
  open.target = '_blank';
  open.rel = 'noopener noreferrer';
  open.textContent = t('viewer.open');
  // An inline (data:) picture cannot open in a tab: it is saved under its name.
  if (href.startsWith('data:')) {
    open.removeAttribute('target');
    open.download = name;
  }
  const close = document.createElement('button');
  close.type = 'button';
  close.textContent = t('viewer.close');
  close.onclick = () => dialog.close();
  bar.append(caption, open, close);
  dialog.append(img, bar);
  dialog.onclick = (e) => {
    if (e.target === dialog) dialog.close();
  };
  // Escape closes the viewer only, not the chat window behind it.
  dialog.onkeydown = (e) => e.stopPropagation();
  dialog.onclose = () => dialog.remove();
  box.appendChild(dialog);
  dialog.showModal();
  close.focus();
}
