/**
 * While the chat is starting or waiting for an agent: the server's latest wait line, the
 * queue position (a status, so changes are heard), a progress animation that stops under
 * prefers-reduced-motion (CSS), and "Cancel" when the vendor supports it.
 */
import { t } from '../core/i18n';
import { useUi } from './context';

export function WaitScreen() {
  const { session } = useUi();
  const { text, position, total } = session.wait.value;
  const canCancel = session.capabilities.value.has('cancel');
  return (
    <section class="confab-wait" aria-label={text || t('wait.default')}>
      <p class="confab-wait-line">{text || t('wait.default')}</p>
      <div class="confab-progress" aria-hidden="true">
        <span />
        <span />
        <span />
      </div>
      <p role="status" class="confab-queue">
        {position !== undefined && position > 0
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
