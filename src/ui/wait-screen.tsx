/**
 * While the chat is starting or waiting for an agent: the server's latest wait line, the
 * queue position (shown only: the live region is the one that announces its changes, a
 * status role here would have it heard twice), a progress animation that stops under
 * prefers-reduced-motion (CSS), and "Cancel" when the vendor supports it. When the server's
 * latest line is its own queue message (WhosOn's "You are in position 3 of 10."), that line
 * already gives the place, so the widget's queue line is not shown under it (issue 25 item 15).
 */
import { t } from '../core/i18n';
import { useUi } from './context';

export function WaitScreen() {
  const { session } = useUi();
  const { text, kind, position, total } = session.wait.value;
  const canCancel = session.capabilities.value.has('cancel');
  return (
    <section class="confab-wait" aria-label={text || t('wait.default')}>
      <p class="confab-wait-line" dir="auto">{text || t('wait.default')}</p>
      <div class="confab-progress" aria-hidden="true">
        <span />
        <span />
        <span />
      </div>
      <p class="confab-queue">
        {position !== undefined && position > 0 && !(text && kind === 'queue')
          ? total
            ? t('wait.positionOf', { position, total })
            : t('wait.position', { position })
          : ''}
      </p>
      {canCancel && (
        <button type="button" class="confab-secondary" onClick={() => session.cancelWaiting()}>
          {t('wait.cancel')}
        </button>
      )}
    </section>
  );
}
