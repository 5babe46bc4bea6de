/**
 * The message box ("Message") and "Send": Enter sends, Shift+Enter is a newline, every
 * change goes to session.composing (typing / preview). A counter appears near the limit.
 * Outside waiting/chatting the box is disabled and says why. "Attach file" appears when
 * the vendor takes files of some type, or the agent just asked for one: a paperclip inside
 * the box, and files dropped on or pasted into the composer go the same way (the same type
 * and size rule). The box grows with its text up to a few lines (CSS caps it). Emoji come
 * from the system's own picker (no emoji table in the bundle): the button puts the cursor in
 * the box and says how to open it.
 */
import { useId, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { t } from '../core/i18n';
import { useUi } from './context';
import { FilePicker } from './file-picker';

const LIVE = new Set(['waiting', 'chatting']);
const OVER = new Set(['ended', 'postchat', 'done']);

export function Composer() {
  const { session, announce } = useUi();
  const [text, setText] = useState('');
  const [dropped, setDropped] = useState<File | null>(null);
  const [hint, setHint] = useState(false);
  const box = useRef<HTMLTextAreaElement>(null);
  const id = useId();
  const phase = session.phase.value;
  const live = LIVE.has(phase);
  const max = session.maxMessageLength.value;
  const caps = session.capabilities.value;
  const config = session.config.value;
  const types = session.fileRequest.value ?? (caps.has('file') ? config?.allowedFileTypes ?? [] : []);
  const policy = session.ratingPolicy.value;
  const canAskRating = phase === 'chatting' && caps.has('ask-rating') && !!policy?.visitorMayAsk;
  const remaining = max - text.length;
  const showCounter = max > 0 && remaining <= Math.max(20, Math.floor(max / 10));
  const reason = live ? '' : t(OVER.has(phase) ? 'composer.over' : 'composer.notYet');
  const describedBy = [reason && `${id}-why`, showCounter && `${id}-count`, hint && `${id}-emoji`].filter(Boolean).join(' ') || undefined;
  const canFile = live && types.length > 0;
  const takeFile = (files: FileList | null | undefined): boolean => {
    const file = canFile ? files?.[0] : undefined;
    if (file) setDropped(file);
    return !!file;
  };

  // Auto-grow: the box is as tall as its text (max-height in CSS stops it at a few lines).
  useLayoutEffect(() => {
    const el = box.current;
    if (!el) return;
    el.style.height = '';
    el.style.height = `${el.scrollHeight + 2}px`;
  }, [text]);

  const update = (value: string) => {
    setText(value);
    session.composing(value);
  };
  const send = () => {
    if (!live || !text.trim()) return;
    session.send(text);
    update('');
  };

  return (
    <form
      class="confab-composer"
      onDragOver={(e) => {
        if (canFile && e.dataTransfer?.types.includes('Files')) e.preventDefault();
      }}
      onDrop={(e) => {
        if (takeFile(e.dataTransfer?.files)) e.preventDefault();
      }}
      onPaste={(e) => {
        if (takeFile(e.clipboardData?.files)) e.preventDefault();
      }}
      onSubmit={(e) => {
        e.preventDefault();
        send();
      }}
    >
      <label for={id} class="confab-sr">
        {t('composer.label')}
      </label>
      <div class="confab-box">
        <textarea
          ref={box}
          id={id}
          dir="auto"
          rows={1}
          placeholder={live ? t('composer.placeholder') : undefined}
          value={text}
          disabled={!live}
          maxLength={max > 0 ? max : undefined}
          aria-describedby={describedBy}
          onInput={(e) => update(e.currentTarget.value)}
          onKeyDown={(e) => {
            // isComposing: Enter confirms an IME candidate, it must not send.
            if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
              e.preventDefault();
              send();
            }
          }}
        />
        {live && (
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
        )}
        {canFile && <FilePicker types={types} icon dropped={dropped} />}
      </div>
      <button type="submit" class="confab-primary" disabled={!live}>
        {t('composer.send')}
      </button>
      <div class="confab-tools">
        {canAskRating && (
          <button type="button" class="confab-icon-text" onClick={() => session.askRating()}>
            {t('chat.askRating')}
          </button>
        )}
        {showCounter && (
          <span id={`${id}-count`} class="confab-counter">
            {t('composer.remaining', { count: Math.max(0, remaining) })}
          </span>
        )}
        {hint && live && (
          <span id={`${id}-emoji`} class="confab-why">
            {t('composer.emojiHint')}
          </span>
        )}
        {reason && (
          <span id={`${id}-why`} class="confab-why">
            {reason}
          </span>
        )}
      </div>
    </form>
  );
}
