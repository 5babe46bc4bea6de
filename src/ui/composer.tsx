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
import { useId, useRef, useState } from 'preact/hooks';
import { t } from '../core/i18n';
import { fileTypes, mayAskRating } from '../core/visitor-may';
import { useUi } from './context';
import { useExtras } from './extras';

const LIVE = new Set(['waiting', 'chatting']);
const OVER = new Set(['ended', 'postchat', 'done']);

export function Composer() {
  const { session } = useUi();
  const extras = useExtras();
  // The session holds the text, so the site can pre-fill it (open({ message })) before the chat runs.
  const text = session.draft.value;
  const setText = (value: string) => void (session.draft.value = value);
  const [dropped, setDropped] = useState<File | null>(null);
  const box = useRef<HTMLTextAreaElement>(null);
  const id = useId();
  const phase = session.phase.value;
  const live = LIVE.has(phase);
  const max = session.maxMessageLength.value;
  const caps = session.capabilities.value;
  const config = session.config.value;
  const types = fileTypes(session.fileRequest.value, config, caps);
  const canAskRating = mayAskRating(phase, caps, session.ratingPolicy.value);
  const remaining = max - text.length;
  const showCounter = max > 0 && remaining <= Math.max(20, Math.floor(max / 10));
  const reason = live ? '' : t(OVER.has(phase) ? 'composer.over' : 'composer.notYet');
  const describedBy = [reason && `${id}-why`, showCounter && `${id}-count`].filter(Boolean).join(' ') || undefined;
  const canFile = live && types.length > 0;
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
      {...(canFile && extras?.fileDrop(setDropped))}
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
        {live && extras && <extras.BoxTools box={box} text={text} />}
        {canFile && extras && <extras.FilePicker types={types} icon dropped={dropped} />}
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
        {reason && (
          <span id={`${id}-why`} class="confab-why">
            {reason}
          </span>
        )}
      </div>
    </form>
  );
}
