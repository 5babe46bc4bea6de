/**
 * "Attach file": a real button opening a hidden file input whose `accept` comes from the
 * allowed extensions. A file of the wrong type or over the size limit is refused here,
 * visibly and aloud, before anything is uploaded.
 */
import { useId, useRef, useState } from 'preact/hooks';
import { t } from '../core/i18n';
import { fileAllowed } from '../core/visitor-may';
import { useUi } from './context';

/** Extensions ("pdf", ".PDF") become ".pdf"; MIME patterns ("image/*") pass through. */
export function acceptList(types: readonly string[]): string {
  return types.map((x) => (x.includes('/') ? x : `.${x.replace(/^\./, '').toLowerCase()}`)).join(',');
}

function formatBytes(n: number): string {
  return n >= 1048576 ? `${Math.round(n / 104857.6) / 10} MB` : `${Math.max(1, Math.round(n / 1024))} KB`;
}

export function FilePicker({ types, disabled, label = t('file.attach') }: { types: readonly string[]; disabled?: boolean; label?: string }) {
  const { session, announce } = useUi();
  const input = useRef<HTMLInputElement>(null);
  const [refusal, setRefusal] = useState('');
  const id = useId();

  const picked = () => {
    const el = input.current;
    const file = el?.files?.[0];
    if (!el || !file) return;
    el.value = '';
    const max = session.config.peek()?.maxFileBytes;
    let problem = '';
    if (!fileAllowed(file.name, file.type, types)) problem = t('file.wrongType', { name: file.name, types: types.join(', ') });
    else if (max && file.size > max) problem = t('file.tooLarge', { name: file.name, max: formatBytes(max) });
    setRefusal(problem);
    if (problem) announce(problem);
    else session.sendFile(file);
  };

  return (
    <span class="confab-picker">
      <button type="button" class="confab-icon-text" disabled={disabled} aria-describedby={refusal ? `${id}-r` : undefined} onClick={() => input.current?.click()}>
        {label}
      </button>
      <input ref={input} type="file" hidden tabIndex={-1} accept={acceptList(types) || undefined} onChange={picked} data-testid="file-input" />
      {refusal && (
        <span id={`${id}-r`} class="confab-error">
          {refusal}
        </span>
      )}
    </span>
  );
}
