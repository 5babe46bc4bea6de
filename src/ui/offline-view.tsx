/**
 * Nobody is available: the server's reason, then what the visitor can do (core/offline-next.ts):
 * the leave-a-message form (name, email, phone, message → "Send message"), a safe link to the
 * vendor's forwarding page or the site's contact page (data-offline-url), or "Please try again
 * later."; a confirmation once the message was taken; and "Start a new chat" to try again.
 */
import type { SurveyField } from '../core/contract';
import { t } from '../core/i18n-views';
import { offlineNext } from '../core/offline-next';
import { useUi } from './context';
import { SurveyForm } from './survey-form';

function fields(): SurveyField[] {
  return [
    { name: 'name', type: 'name', label: t('offline.name'), required: true, maxLength: 100 },
    { name: 'email', type: 'email', label: t('offline.email'), required: true, maxLength: 250 },
    { name: 'phone', type: 'phone', label: t('offline.phone'), required: false, maxLength: 40 },
    { name: 'message', type: 'text', label: t('offline.message'), required: true, multiline: true, lines: 4, maxLength: 2000 },
  ];
}

export function OfflineView() {
  const { session, offlineUrl } = useUi();
  const offline = session.offline.value;
  const state = session.leaveMessageRequest.value;
  if (!offline) return null;
  const next = offlineNext(offline, offlineUrl);
  return (
    <section class="confab-offline" aria-labelledby="confab-offline-reason">
      <p id="confab-offline-reason" dir="auto">
        {offline.reason}
      </p>
      {state === 'done' ? (
        <p role="status">{t('offline.done')}</p>
      ) : next.kind === 'form' ? (
        <SurveyForm
          fields={fields()}
          visitor={session.visitor.peek()}
          label={t('offline.title')}
          submitLabel={t('offline.send')}
          disabled={state === 'pending'}
          onSubmit={(a) =>
            session.leaveMessage({ name: a.name ?? '', email: a.email || undefined, phone: a.phone || undefined, message: a.message ?? '' })
          }
        >
          <h3 class="confab-h">{t('offline.title')}</h3>
        </SurveyForm>
      ) : next.kind === 'link' ? (
        <a class="confab-primary" href={next.url} target="_blank" rel="noopener noreferrer">
          {t('offline.forward')}
        </a>
      ) : (
        <p>{t('offline.later')}</p>
      )}
      {state === 'failed' && (
        <p role="status" class="confab-error">
          {t('ended.failed')}
        </p>
      )}
      {/* Not a dead end: the visitor can try again once agents are back. */}
      <button type="button" class="confab-secondary" onClick={() => session.newChat()}>
        {t('ended.newChat')}
      </button>
    </section>
  );
}
