/**
 * session.error: an alert when fatal (the chat cannot go on), a status otherwise, with a
 * Retry button when the session says the failed action can be retried.
 */
import { t } from '../core/i18n';
import { useUi } from './context';

export function ErrorBanner({ onRetry }: { onRetry(): void }) {
  const { session } = useUi();
  const error = session.error.value;
  if (!error) return null;
  return (
    <div role={error.fatal ? 'alert' : 'status'} class={`confab-banner${error.fatal ? ' confab-fatal' : ''}`}>
      <span>{error.message}</span>
      {error.retryable && (
        <button type="button" onClick={onRetry}>
          {t('error.retry')}
        </button>
      )}
    </div>
  );
}
