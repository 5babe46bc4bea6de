/**
 * One survey field, rendered with the control that fits its type (shared by the pre-chat
 * form, the post-chat survey, the offline form and in-chat forms). The label is the
 * field's prompt; an error sits beside the control, tied to it with aria-describedby.
 */
import type { JSX } from 'preact';
import { useId } from 'preact/hooks';
import type { SurveyField } from '../core/contract';
import { t } from '../core/i18n';

export interface FieldProps {
  field: SurveyField;
  value: string;
  onChange(value: string): void;
  error?: string | null;
  disabled?: boolean;
}

const TRUE = /^(y|yes|true|1|on)$/i;

/** Boolean fields carry "true"/"false"; WhosOn's "Y" defaults read as checked too. */
export const isChecked = (v: string) => TRUE.test(v.trim());

export function starLabel(n: number): string {
  return t('rating.stars', { n }); // a plural: "1 star", "2 stars", Arabic's six forms
}

interface InputAttrs {
  type: string;
  inputMode?: 'email' | 'tel' | 'decimal';
  autoComplete?: string;
  min?: number;
  max?: number;
  step?: string;
}

function inputAttrs(field: SurveyField): InputAttrs {
  if (field.password) return { type: 'password', autoComplete: 'off' };
  switch (field.type) {
    case 'email':
      return { type: 'email', inputMode: 'email', autoComplete: 'email' };
    case 'phone':
      return { type: 'tel', inputMode: 'tel', autoComplete: 'tel' };
    case 'numeric':
      // Bounds are checked by validate(); min/max also help spin buttons and AT.
      return { type: 'number', inputMode: 'decimal', step: 'any', min: field.min, max: field.max };
    case 'date':
      return { type: 'date' };
    case 'time':
      return { type: 'time' };
    case 'name':
      return { type: 'text', autoComplete: 'name' };
    case 'company':
      return { type: 'text', autoComplete: 'organization' };
    default:
      return { type: 'text' };
  }
}

function Label({ id, field }: { id: string; field: SurveyField }) {
  return (
    <label for={id} class="confab-label">
      {/* The vendor's prompt keeps its own direction inside a label laid out in the UI's
          (":Please enter your name" otherwise, in an Arabic window). */}
      <span dir="auto">{field.label}</span>
      {field.required && <span class="confab-required"> {t('form.required')}</span>}
    </label>
  );
}

function Choices({ field, value, onChange, error, disabled, id, options }: FieldProps & { id: string; options: [string, string, string?][] }) {
  const errId = `${id}-err`;
  return (
    // A radiogroup, not the fieldset's implicit group: rating scales must read as radio
    // groups, and only a radiogroup may carry aria-required.
    <fieldset role="radiogroup" class="confab-field confab-choices" aria-describedby={error ? errId : undefined} aria-required={field.required || undefined}>
      <legend class="confab-label">
        <span dir="auto">{field.label}</span>
        {field.required && <span class="confab-required"> {t('form.required')}</span>}
      </legend>
      <div class={field.type === 'rating' ? 'confab-stars' : 'confab-radios'}>
        {options.map(([val, label, visual], i) => (
          <label key={val} class="confab-radio">
            <input
              type="radio"
              name={id}
              value={val}
              checked={value === val}
              disabled={disabled}
              required={field.required && i === 0}
              aria-invalid={error ? true : undefined}
              onChange={() => onChange(val)}
            />
            {visual ? (
              <>
                <span aria-hidden="true">{visual}</span>
                <span class="confab-sr" dir="auto">
                  {label}
                </span>
              </>
            ) : (
              <span dir="auto">{label}</span>
            )}
          </label>
        ))}
      </div>
      {error && <p id={errId} class="confab-error">{error}</p>}
    </fieldset>
  );
}

export function Field(props: FieldProps) {
  const { field, value, onChange, error, disabled } = props;
  const id = useId();
  const errId = `${id}-err`;
  const common = {
    id,
    name: field.name,
    disabled,
    required: field.required,
    'aria-invalid': error ? true : undefined,
    'aria-describedby': error ? errId : undefined,
    maxLength: field.maxLength || undefined,
  };
  const err = error ? <p id={errId} class="confab-error">{error}</p> : null;

  if (field.type === 'rating') {
    const max = Math.max(1, Math.min(10, field.max || 5));
    // One star per option (not n stars for option n: fifteen stars in five groups); the chosen
    // star and those before it light (styles.css), as in the in-chat rating.
    const opts = Array.from({ length: max }, (_, i) => [String(i + 1), starLabel(i + 1), '★'] as [string, string, string]);
    return <Choices {...props} id={id} options={opts} />;
  }
  if (field.type === 'select' && field.selectAs === 'radio') {
    return <Choices {...props} id={id} options={(field.options ?? []).map((o) => [o, o] as [string, string])} />;
  }
  if (field.type === 'boolean') {
    return (
      <div class="confab-field confab-check">
        <input
          {...common}
          required={false}
          type="checkbox"
          checked={isChecked(value)}
          onChange={(e) => onChange(e.currentTarget.checked ? 'true' : 'false')}
        />
        <Label id={id} field={field} />
        {err}
      </div>
    );
  }
  let control: JSX.Element;
  if (field.type === 'select') {
    control = (
      <select {...common} value={value} onChange={(e) => onChange(e.currentTarget.value)}>
        <option value="" />
        {(field.options ?? []).map((o) => (
          <option key={o} value={o} dir="auto">
            {o}
          </option>
        ))}
      </select>
    );
  } else if (field.multiline && !field.password) {
    // A masked value is one line: a textarea cannot mask (WhosOn: Password wins over MultiLine).
    control = (
      <textarea {...common} rows={Math.max(2, Math.min(10, field.lines || 3))} value={value} onInput={(e) => onChange(e.currentTarget.value)} />
    );
  } else {
    control = <input {...common} {...inputAttrs(field)} value={value} onInput={(e) => onChange(e.currentTarget.value)} />;
  }
  return (
    <div class="confab-field">
      <Label id={id} field={field} />
      {control}
      {err}
    </div>
  );
}
