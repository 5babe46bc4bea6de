/**
 * A field the agent asks for inside the chat: an inline one-field form; once submitted
 * the value is shown read-only.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { t } from '../core/i18n';
import type { FormItem as Item } from '../core/session-api';
import { useUi } from './context';
import { SurveyForm } from './survey-form';

export function FormItem({ item }: { item: Item }) {
  const { session } = useUi();
  const { form } = item;
  const [sent, setSent] = useState<string | undefined>(undefined);
  const answer = useRef<HTMLParagraphElement>(null);
  const value = form.submitted ?? sent;
  // The form the visitor just submitted goes away; focus goes to its answer rather than
  // falling to the page (where Escape and Tab order would be lost).
  useEffect(() => {
    if (sent !== undefined) answer.current?.focus();
  }, [sent]);
  if (value !== undefined)
    return (
      <div class="confab-inline-form">
        <p class="confab-prompt">{form.header}</p>
        <p class="confab-answer" ref={answer} tabIndex={-1}>
          <span>{form.field.label}: </span>
          <strong>{value}</strong>
        </p>
      </div>
    );
  return (
    <div class="confab-inline-form">
      <SurveyForm
        fields={[form.field]}
        label={form.header}
        submitLabel={t('form.submit')}
        onSubmit={(answers) => {
          const v = answers[form.field.name] ?? '';
          setSent(v);
          session.submitForm(form.id, v);
        }}
      >
        <p class="confab-prompt">{form.header}</p>
      </SurveyForm>
    </div>
  );
}
