/**
 * After the chat: the closing text, the post-chat survey ("Send feedback"), the transcript
 * by email or as a download when the vendor offers them, and "Start a new chat". A chat that
 * never reached anyone gets none of the first three: there is nothing to rate or to send.
 */
import { useId, useState } from 'preact/hooks';
import type { SurveyField } from '../core/contract';
import { t } from '../core/i18n-views';
import type { RequestState, Session } from '../core/session-api';
import { validate } from '../core/survey';
import { reachedSomeone } from '../core/reached';
import { useUi } from './context';
import { SurveyForm } from './survey-form';

function RequestNote({ state, done }: { state: RequestState; done: string }) {
  if (state === 'done') return <p role="status">{done}</p>;
  if (state === 'failed') return <p role="status" class="confab-error">{t('ended.failed')}</p>;
  return null;
}

const EMAIL_FIELD: Omit<SurveyField, 'label'> = { name: 'email', type: 'email', required: true };

function TranscriptEmail() {
  const { session } = useUi();
  const [email, setEmail] = useState(session.visitor.peek().email ?? '');
  const [error, setError] = useState<string | null>(null);
  const id = useId();
  const pending = session.transcriptRequest.value === 'pending';
  return (
    <form
      class="confab-inline"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        const problem = validate({ ...EMAIL_FIELD, label: t('ended.email') }, email);
        setError(problem);
        if (!problem) session.requestTranscript('email', email.trim());
      }}
    >
      <label for={id}>{t('ended.email')}</label>
      <input
        id={id}
        type="email"
        inputMode="email"
        autoComplete="email"
        value={email}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-e` : undefined}
        onInput={(e) => setEmail(e.currentTarget.value)}
      />
      {error && (
        <p id={`${id}-e`} class="confab-error">
          {error}
        </p>
      )}
      <button type="submit" class="confab-secondary" disabled={pending}>
        {t('ended.emailTranscript')}
      </button>
    </form>
  );
}

/**
 * The vendor mails the transcript to the address it already holds (ExpertFlow): one button,
 * saying where it goes; nothing to type.
 */
function TranscriptEmailTo({ address }: { address: string }) {
  const { session } = useUi();
  const id = useId();
  return (
    <div class="confab-inline">
      <button
        type="button"
        class="confab-secondary"
        aria-describedby={id}
        disabled={session.transcriptRequest.value === 'pending'}
        onClick={() => session.requestTranscript('email')}
      >
        {t('ended.emailMe')}
      </button>
      <p id={id} dir="auto">
        {t('ended.emailTo', { address })}
      </p>
    </div>
  );
}

export function EndedView() {
  const { session } = useUi();
  const config = session.config.value;
  const caps = session.capabilities.value;
  const postchat = session.postchat.value;
  const fields = config?.postchat ?? [];
  // Also nothing the transport can no longer send (a chat restored after a reload that it
  // could not resume: core/after-chat.ts).
  const reached = reachedSomeone(session) && session.afterChatPossible.value;
  const showSurvey = fields.length > 0 && postchat !== 'done' && reached;
  const transcriptField = fields.find((f) => f.transcript);
  return (
    <section class="confab-ended" aria-labelledby="confab-ended-text">
      <p id="confab-ended-text" class="confab-closing" dir="auto">
        {config?.closingText || t('ended.text')}
      </p>
      {showSurvey && (
        <SurveyForm
          fields={fields}
          visitor={session.visitor.peek()}
          label={t('ended.survey')}
          submitLabel={t('ended.sendFeedback')}
          disabled={postchat === 'pending'}
          onSubmit={(answers) => {
            session.submitPostchat(answers);
            // The survey's transcript address (one e-mail field, not two): the transcript goes there.
            const to = answers[transcriptField?.name ?? ''];
            if (to) session.requestTranscript('email', to);
          }}
        >
          <h3 class="confab-h">{t('ended.survey')}</h3>
        </SurveyForm>
      )}
      <RequestNote state={postchat} done={t('ended.thanks')} />
      {reached && caps.has('transcript-email') && config?.transcriptEmailTo === undefined && !(showSurvey && transcriptField) && <TranscriptEmail />}
      {reached && caps.has('transcript-email') && !!config?.transcriptEmailTo && <TranscriptEmailTo address={config.transcriptEmailTo} />}
      {reached && caps.has('transcript-pdf') && (
        <button type="button" class="confab-secondary" onClick={() => session.requestTranscript('pdf')}>
          {t('ended.downloadTranscript')}
        </button>
      )}
      <RequestNote state={session.transcriptRequest.value} done={t('ended.transcriptDone')} />
      <button type="button" class="confab-primary" onClick={() => session.newChat()}>
        {t('ended.newChat')}
      </button>
    </section>
  );
}
