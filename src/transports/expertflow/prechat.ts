/**
 * ExpertFlow has no survey of its own: the widget's pre-chat form asks what the site
 * owner lists in `data-prechat`, and the answers fill the init request's fields.
 */
import type { ChatConfig, FieldType, SurveyField } from '../../core/contract';
import { t, type MessageKey } from '../../core/i18n';

/** `data-prechat` token → [field name (the `answers` key), type, label key]. */
const FIELDS: Record<string, [string, FieldType, MessageKey]> = {
  name: ['name', 'name', 'prechat.name'],
  lastname: ['lastName', 'name', 'prechat.lastName'],
  email: ['email', 'email', 'prechat.email'],
  phone: ['phone', 'phone', 'prechat.phone'],
  comment: ['comment', 'text', 'prechat.comment'],
  subject: ['subject', 'select', 'prechat.subject'],
};

const split = (s: string | undefined): string[] =>
  (s ?? '')
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);

export function prechatFields(options: Readonly<Record<string, string>>): SurveyField[] {
  const wanted = split(options.prechat ?? 'name,email').map((x) => x.toLowerCase());
  if (wanted.includes('none')) return [];
  const subjects = split(options.subjects);
  const out: SurveyField[] = [];
  for (const token of wanted) {
    const spec = FIELDS[token];
    if (!spec) {
      console.warn(`[confab] expertflow: data-prechat: unknown field "${token}" ignored`);
      continue;
    }
    const [name, type, key] = spec;
    // A subject without a list to choose from would be free text routed nowhere: skipped,
    // and `data-subject` (or the department) routes the chat instead.
    if (name === 'subject' && !subjects.length) continue;
    if (out.some((f) => f.name === name)) continue;
    out.push({
      name,
      type,
      label: t(key),
      // The document requires only `channel`; the name is asked for so the agent can greet
      // the visitor, and the subject routes the chat, the rest is optional.
      required: name === 'name' || name === 'subject',
      ...(name === 'comment' ? { multiline: true, lines: 3 } : {}),
      ...(name === 'subject' ? { options: subjects, selectAs: 'select' as const } : {}),
    });
  }
  return out;
}

export function chatConfig(options: Readonly<Record<string, string>>): ChatConfig {
  return {
    prechat: prechatFields(options),
    postchat: [],
    // Attachments exist on the wire, but the document has no upload endpoint to host a
    // visitor's file, so the widget offers no uploads.
    allowedFileTypes: [],
    leaveMessage: false,
    previewAllowed: false,
  };
}
