/**
 * The welcome message (vendor HTML, sanitized) and the pre-chat survey, submitted with
 * "Start chat". Fields are pre-filled from identify().
 */
import { t } from '../core/i18n';
import { useUi } from './context';
import { useExtras } from './extras';
import { Html } from './html';
import { SurveyForm } from './survey-form';

export function PrechatForm({ onStart }: { onStart(answers: Record<string, string>): void }) {
  const { session } = useUi();
  const welcome = session.config.value?.welcomeHtml;
  const extras = useExtras();
  return (
    <section class="confab-prechat">
      {/* Welcome and availability (item 12), from the extras chunk fetched as the window opens. */}
      {extras && <extras.Intro />}
      {welcome && <Html class="confab-welcome" html={welcome} />}
      <SurveyForm
        fields={session.prechatFields.value}
        visitor={session.visitor.peek()}
        submitLabel={t('prechat.start')}
        label={t('prechat.label')}
        disabled={session.phase.value !== 'prechat'}
        onSubmit={onStart}
      />
    </section>
  );
}
