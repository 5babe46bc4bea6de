/**
 * A form of survey fields (pre-chat, post-chat, offline, in-chat): keeps the values,
 * normalizes and validates them with the core's survey rules on submit, shows each error
 * beside its field, announces how many need attention and moves focus to the first.
 */
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { SurveyField, VisitorInfo } from '../core/contract';
import { t } from '../core/i18n';
import { initialValue, masksReady, normalize, validate } from '../core/survey';
import { useUi } from './context';
import { Field } from './field';

export interface SurveyFormProps {
  fields: readonly SurveyField[];
  submitLabel: string;
  onSubmit(answers: Record<string, string>): void;
  /** Pre-fills fields the visitor already told us (identify). */
  visitor?: VisitorInfo;
  disabled?: boolean;
  /** Accessible name of the form. */
  label?: string;
  children?: ComponentChildren;
}

const VISITOR_KEY: Partial<Record<SurveyField['type'], keyof VisitorInfo>> = { name: 'name', email: 'email', phone: 'phone' };

function startValue(field: SurveyField, visitor: VisitorInfo | undefined): string {
  const value = initialValue(field, new Date());
  if (value || !visitor) return value;
  return visitor[field.name] ?? visitor[VISITOR_KEY[field.type] ?? ''] ?? '';
}

export function SurveyForm({ fields, submitLabel, onSubmit, visitor, disabled, label, children }: SurveyFormProps) {
  const { announce } = useUi();
  const [values, setValues] = useState<Record<string, string>>(() =>
    Object.fromEntries(fields.map((f) => [f.name, startValue(f, visitor)])),
  );
  const [errors, setErrors] = useState<Record<string, string>>({});
  const formRef = useRef<HTMLFormElement>(null);
  // Bumped by a submit that found errors; the effect runs once the fields carry aria-invalid.
  const [failedSubmits, setFailedSubmits] = useState(0);
  useEffect(() => {
    // The visitor just pressed submit, so moving focus to what needs fixing is expected.
    if (failedSubmits) formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
  }, [failedSubmits]);

  const submit = (e: Event) => {
    e.preventDefault();
    if (disabled) return;
    // A masked field is judged by the lazily loaded matcher: wait for it, never skip the mask.
    const ready = masksReady(fields);
    if (ready) void ready.then(judge);
    else judge();
  };

  const judge = () => {
    const answers: Record<string, string> = {};
    const found: Record<string, string> = {};
    for (const f of fields) {
      const v = normalize(f, values[f.name] ?? '');
      answers[f.name] = v;
      const problem = validate(f, v);
      if (problem !== null) found[f.name] = problem || t('form.invalid');
    }
    setErrors(found);
    const bad = Object.keys(found);
    if (bad.length) {
      announce(`${t('form.errors', { count: bad.length })} ${bad.map((n) => found[n]).join(' ')}`);
      setFailedSubmits((n) => n + 1);
      return;
    }
    onSubmit(answers);
  };

  return (
    <form ref={formRef} class="confab-form" noValidate onSubmit={submit} aria-label={label}>
      {children}
      {fields.map((f) => (
        <Field
          key={f.name}
          field={f}
          value={values[f.name] ?? ''}
          error={errors[f.name]}
          disabled={disabled}
          onChange={(v) => {
            setValues((old) => ({ ...old, [f.name]: v }));
            if (errors[f.name]) setErrors(({ [f.name]: _, ...rest }) => rest);
          }}
        />
      ))}
      <button type="submit" class="confab-primary" disabled={disabled}>
        {submitLabel}
      </button>
    </form>
  );
}
