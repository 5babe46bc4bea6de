/**
 * The message box ("Message") and "Send": Enter sends, Shift+Enter is a newline, every
 * change goes to session.composing (typing / preview). A counter appears near the limit.
 * Outside waiting/chatting the box is disabled and says why. "Attach file" appears when
 * the vendor takes files of some type, or the agent just asked for one.
 */
import { useId, useState } from 'preact/hooks';
import { t } from '../core/i18n';
import { fileTypes, mayAskRating } from '../core/visitor-may';
import { useUi } from './context';
import { FilePicker } from './file-picker';

const LIVE = new Set(['waiting', 'chatting']);
const OVER = new Set(['ended', 'postchat', 'done']);

export function Composer() {
  const { session } = useUi();
  const [text, setText] = useState('');
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
      onSubmit={(e) => {
        e.preventDefault();
        send();
      }}
    >
      <label for={id} class="confab-sr">
        {t('composer.label')}
      </label>
      <textarea
        id={id}
        dir="auto"
        rows={1}
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
      <button type="submit" class="confab-primary" disabled={!live}>
        {t('composer.send')}
      </button>
      <div class="confab-tools">
        {live && types.length > 0 && <FilePicker types={types} />}
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
