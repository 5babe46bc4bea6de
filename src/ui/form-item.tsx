/**
 * A field the agent asks for inside the chat: an inline one-field form; once submitted
 * the value is shown read-only.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { t } from '../core/i18n';
import type { FormItem as Item } from '../core/session-api';
import { useUi } from './context';
import { SurveyForm } from './survey-form';

// A label that already ends a sentence or a question ("Order number:", "Your email?") gets
// no ": " of ours, or the answer reads "Order number:: 12345".
const ENDS_IN_PUNCTUATION = /[:：?？؟!！.。;；…]\s*$/u;

const same = (a: string, b: string) => a.trim().toLocaleLowerCase() === b.trim().toLocaleLowerCase();

export function FormItem({ item }: { item: Item }) {
  const { session } = useUi();
  const { form } = item;
  const [sent, setSent] = useState<string | undefined>(undefined);
  const answer = useRef<HTMLParagraphElement>(null);
  const value = form.submitted ?? sent;
  // An answer after the chat ended (or before it started) has nowhere to go and would be
  // silently lost, so the field is only usable while the chat runs (as file requests are).
  const live = session.phase.value === 'chatting' || session.phase.value === 'waiting';
  // WhosOn sends the field's label as the header and Tencent the header as the label: the
  // field's own label already asks the question, so an identical (or empty) header is not
  // repeated above it.
  const label = form.field.label;
  const prompt = form.header.trim() && !same(form.header, label) ? <p class="confab-prompt" dir="auto">{form.header}</p> : null;
  // Focus goes to the answer when the form the visitor just submitted goes away, rather than
  // falling to the page (where Escape and Tab order would be lost).
  useEffect(() => {
    if (sent !== undefined) answer.current?.focus();
  }, [sent]);
  if (value !== undefined)
    return (
      <div class="confab-inline-form">
        {prompt}
        <p class="confab-answer" ref={answer} tabIndex={-1}>
          <span dir="auto">{ENDS_IN_PUNCTUATION.test(label) ? label.trimEnd() : `${label}:`}</span>{' '}
          <strong dir="auto">{value}</strong>
        </p>
      </div>
    );
  return (
    <div class="confab-inline-form">
      <SurveyForm
        // An agent's one question has no use for an empty answer, whatever the vendor's flag says.
        fields={[{ ...form.field, required: true }]}
        label={form.header || label}
        submitLabel={t('form.submit')}
        disabled={!live}
        onSubmit={(answers) => {
          const v = answers[form.field.name] ?? '';
          setSent(v);
          session.submitForm(form.id, v);
        }}
      >
        {prompt}
      </SurveyForm>
    </div>
  );
}
