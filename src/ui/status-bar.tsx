/**
 * Connection state as a first-class line: connecting, reconnecting (attempt n), closed.
 * The status element stays mounted (empty while open) so changes are announced.
 * "closed" after the chat is over is expected, so it is not reported then.
 */
import { t } from '../core/i18n';
import { useUi } from './context';

const QUIET_WHEN_CLOSED = new Set(['ended', 'postchat', 'done', 'offline']);

export function StatusBar() {
  const { session } = useUi();
  const state = session.connection.value;
  let text = '';
  if (state === 'connecting') text = t('status.connecting');
  else if (state === 'reconnecting') text = t('status.reconnecting', { attempt: Math.max(1, session.reconnectAttempt.value) });
  else if (state === 'closed' && !QUIET_WHEN_CLOSED.has(session.phase.value)) text = t('status.closed');
  return (
    <div
      role="status"
      // Each retry renumbers the line; saying "Reconnecting" once is enough, so later attempts
      // update the text without being announced.
      aria-live={state === 'reconnecting' && session.reconnectAttempt.value > 1 ? 'off' : 'polite'}
      class={text ? `confab-status confab-status-${state}` : 'confab-status-empty'}
    >
      {text}
    </div>
  );
}
