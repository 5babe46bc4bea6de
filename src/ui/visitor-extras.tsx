/**
 * Issue 25 items 1 and 5, split from the app chunk (see extras.ts): the "End this chat?"
 * question, the composer's emoji button and paperclip icon, and the drop/paste file handlers.
 * Its CSS joins the shadow root once, when a component first uses it.
 */
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { t } from '../core/i18n';
import { useUi } from './context';
import css from './visitor-ux.css?inline';

// The file picker travels in this chunk too (composer paperclip, an agent's file request).
export { FilePicker } from './file-picker';
// So does the first screen's welcome and availability (item 12).
export { Intro } from './first-screen';

/**
 * The close motion (issue 25 item 15; the opening one is CSS): called as the window unmounts,
 * while it is still in place, it leaves an inert, hidden-from-assistive-tech copy that slides
 * down and fades, then goes. Nothing when the visitor prefers reduced motion.
 */
export function closeMotion(dialog: HTMLElement | null): void {
  if (!dialog?.isConnected || !dialog.animate || matchMedia('(prefers-reduced-motion: reduce)').matches) return;
  const ghost = dialog.cloneNode(true) as HTMLElement;
  ghost.inert = true;
  ghost.setAttribute('aria-hidden', 'true');
  for (const el of [ghost, ...ghost.querySelectorAll('[id]')]) el.removeAttribute('id');
  // Not the opening motion again (the copy is a new .confab-window to CSS).
  ghost.style.cssText += 'pointer-events:none;animation:none';
  dialog.before(ghost);
  ghost.animate([{}, { opacity: 0, transform: 'translateY(12px)' }], { duration: 150, easing: 'ease-in' }).onfinish = () => ghost.remove();
}

export function useStyles(): void {
  useUi().addStyles?.(css);
}

/**
 * Asked after "End chat": focus goes to "Keep chatting", so a stray second Enter keeps the
 * chat; only the question's own "End chat" ends it.
 */
export function EndConfirm({ onKeep }: { onKeep(): void }) {
  const { session } = useUi();
  const keep = useRef<HTMLButtonElement>(null);
  useStyles();
  useEffect(() => keep.current?.focus(), []);
  return (
    <div class="confab-banner confab-confirm" role="group" aria-labelledby="confab-end-q">
      <p id="confab-end-q">{t('header.endConfirm')}</p>
      <span class="confab-actions">
        <button type="button" class="confab-primary" onClick={() => session.end()}>
          {t('header.end')}
        </button>
        <button ref={keep} type="button" class="confab-secondary" onClick={onKeep}>
          {t('header.keep')}
        </button>
      </span>
    </div>
  );
}

/**
 * Inside the message box while the chat is live. The box grows with its text (CSS caps it at
 * a few lines). No emoji table in the bundle: the system has its own picker; the emoji button
 * puts the cursor in the box and says (shown and announced) how to open it.
 */
export function BoxTools({ box, text }: { box: { current: HTMLTextAreaElement | null }; text: string }) {
  const { announce } = useUi();
  const [hint, setHint] = useState(false);
  useStyles();
  useLayoutEffect(() => {
    const el = box.current;
    if (!el) return;
    el.style.height = '';
    el.style.height = `${el.scrollHeight + 2}px`;
  }, [text]);
  return (
    <>
      <button
        type="button"
        class="confab-clip"
        aria-label={t('composer.emoji')}
        title={t('composer.emoji')}
        onClick={() => {
          box.current?.focus();
          setHint(true);
          announce(t('composer.emojiHint'));
        }}
      >
        <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round">
          <circle cx="12" cy="12" r="9" />
          <path d="M8.5 14.5a4.5 4.5 0 0 0 7 0M9 9.5h.01M15 9.5h.01" />
        </svg>
      </button>
      {hint && <span class="confab-why confab-hint">{t('composer.emojiHint')}</span>}
    </>
  );
}

export function ClipIcon() {
  return (
    <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true">
      <path d="M16.5 6.5 8.6 14.4a1.8 1.8 0 0 0 2.5 2.5l7.6-7.6a3.5 3.5 0 0 0-5-5L6 12a5.3 5.3 0 0 0 7.5 7.5l6.4-6.4" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" />
    </svg>
  );
}

/** Handlers for the composer form: a file dropped on it or pasted into it goes to `take`. */
export function fileDrop(take: (file: File) => void) {
  const first = (files: FileList | null | undefined, e: Event) => {
    const file = files?.[0];
    if (file) {
      e.preventDefault();
      take(file);
    }
  };
  return {
    onDragOver: (e: DragEvent) => {
      if (e.dataTransfer?.types.includes('Files')) e.preventDefault();
    },
    onDrop: (e: DragEvent) => first(e.dataTransfer?.files, e),
    onPaste: (e: ClipboardEvent) => first(e.clipboardData?.files, e),
  };
}
