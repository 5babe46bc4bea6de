/**
 * "Attach file": a real button opening a hidden file input whose `accept` comes from the
 * allowed extensions. A file of the wrong type or over the size limit is refused here,
 * visibly and aloud, before anything is uploaded.
 */
import { useEffect, useId, useRef, useState } from 'preact/hooks';
import { formatBytes, t } from '../core/i18n';
import { fileAllowed } from '../core/visitor-may';
import { useUi } from './context';
import { ClipIcon } from './visitor-extras';

/** Extensions ("pdf", ".PDF") become ".pdf"; MIME patterns ("image/*") pass through. */
export function acceptList(types: readonly string[]): string {
  return types.map((x) => (x.includes('/') ? x : `.${x.replace(/^\./, '').toLowerCase()}`)).join(',');
}

/** Why `file` is refused ('' when it may be sent): the picker, drag-and-drop and paste share it. */
export function fileProblem(file: File, types: readonly string[], max: number | undefined): string {
  if (!fileAllowed(file.name, file.type, types)) return t('file.wrongType', { name: file.name, types: types.join(', ') });
  return max && file.size > max ? t('file.tooLarge', { name: file.name, max: formatBytes(max) }) : '';
}

/**
 * `icon`: the composer's paperclip inside the message box (named by `label`); otherwise a
 * text button (an agent's file request).
 */
export function FilePicker({ types, disabled, label = t('file.attach'), icon, dropped }: { types: readonly string[]; disabled?: boolean; label?: string; icon?: boolean; dropped?: File | null }) {
  const { session, announce } = useUi();
  const input = useRef<HTMLInputElement>(null);
  const [refusal, setRefusal] = useState('');
  const id = useId();

  const offer = (file: File) => {
    const problem = fileProblem(file, types, session.config.peek()?.maxFileBytes);
    setRefusal(problem);
    if (problem) announce(problem);
    else session.sendFile(file);
  };
  const picked = () => {
    const el = input.current;
    const file = el?.files?.[0];
    if (!el || !file) return;
    el.value = '';
    offer(file);
  };
  // A file dropped on or pasted into the composer goes the same way as a picked one.
  useEffect(() => {
    if (dropped) offer(dropped);
  }, [dropped]);

  return (
    <span class="confab-picker">
      <button
        type="button"
        class={icon ? 'confab-clip' : 'confab-icon-text'}
        disabled={disabled}
        aria-label={icon ? label : undefined}
        title={icon ? label : undefined}
        aria-describedby={refusal ? `${id}-r` : undefined}
        onClick={() => input.current?.click()}
      >
        {icon ? <ClipIcon /> : label}
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
