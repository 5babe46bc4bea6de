/**
 * Omnidesk's words and ours: reading its requestChatConfig answer, and the text the relay
 * writes into a chat or a chatbot log (pre-chat answers, a left message) as Markdown lines.
 */
import type { AttachmentKind, VisitorInfo } from '../../../core/contract';
import type { WireCommand } from '../../../protocol/relay';

export const NO_AGENTS_INSTRUCTION = 'hide_reason_no_agents_available';

/** Whether requestChatConfig's answer says nobody is there (the instruction's absence means agents are). */
export function saysNoAgents(config: unknown): boolean {
  if (!config || typeof config !== 'object') return false;
  const instructions = (config as Record<string, unknown>).instructions;
  const list = Array.isArray(instructions)
    ? instructions
    : instructions && typeof instructions === 'object'
      ? Object.values(instructions)
      : [];
  return list.some((i) => !!i && typeof i === 'object' && (i as Record<string, unknown>).type === NO_AGENTS_INSTRUCTION);
}

export function str(v: unknown, max = 20_000): string {
  return typeof v === 'string' ? v.slice(0, max) : '';
}

export function kindOf(mime: string): AttachmentKind {
  return mime.startsWith('image/') ? 'image' : mime.startsWith('audio/') ? 'audio' : mime.startsWith('video/') ? 'video' : 'file';
}

export function extension(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot < 0 ? '' : name.slice(dot + 1).toLowerCase();
}

/** Pre-chat answers as markdown lines, the form Omnidesk's chatbot log takes. */
function answersMarkdown(visitor: VisitorInfo, answers: Record<string, string>): string {
  const lines: string[] = [];
  for (const [k, v] of Object.entries({ ...visitor, ...answers })) {
    if (typeof v === 'string' && v.trim()) lines.push(`- **${k.replace(/[*_`[\]\\]/g, '\\$&')}**: ${v.replace(/\r?\n/g, ' ')}`);
  }
  return lines.join('\n');
}

/** The visitor's pre-chat answers and the site's attributes (update), where the agent reads them. */
export function prechatSummary(visitor: VisitorInfo, answers: Record<string, string>, attributes: Readonly<Record<string, string>>): string {
  const details = answersMarkdown({}, attributes);
  return [answersMarkdown(visitor, answers), details && `Details from the site:\n${details}`].filter(Boolean).join('\n');
}

/** A left message as the chatbot log's body: who, how to reach them, from where, and what they wrote. */
export function leftMessageBody(c: Extract<WireCommand, { type: 'leave-message' }>, pageUrl: string): string {
  const lines = [`- **Name**: ${str(c.name, 200)}`, `- **Email**: ${str(c.email, 320)}`, `- **Phone**: ${str(c.phone, 50)}`];
  if (pageUrl) lines.push(`- **Page**: ${pageUrl}`);
  return `${lines.join('\n')}\n\n${str(c.message)}`;
}
