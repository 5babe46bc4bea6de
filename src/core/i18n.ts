/**
 * Every string the widget shows. Keys are grouped by where they appear; the comment
 * beside each tells a translator where and how it is used. `{name}` placeholders are
 * filled by `t()`. More locales arrive as sibling modules with the same keys.
 */
export const en = {
  // Launcher button, when the chat window is closed.
  'launcher.open': 'Open chat',
  // Launcher button, when the chat window is open.
  'launcher.close': 'Close chat',
  // Launcher badge, read by screen readers: number of unread messages.
  'launcher.unread': '{count} unread messages',
  // Label of the message box in the composer.
  'composer.label': 'Message',
  // The button that sends the visitor's message.
  'composer.send': 'Send',
  // Button on the pre-chat form that starts the chat.
  'prechat.start': 'Start chat',
  // Header button that ends the conversation.
  'header.end': 'End chat',
  // Wait screen button that stops waiting for an agent.
  'wait.cancel': 'Cancel',
} as const;

export type MessageKey = keyof typeof en;
export type Messages = Record<MessageKey, string>;

let current: Messages = en;

export function setMessages(messages: Partial<Messages>): void {
  current = { ...en, ...messages };
}

/** The string for `key` with `{placeholders}` filled from `params`. */
export function t(key: MessageKey, params?: Record<string, string | number>): string {
  const template = current[key] ?? en[key];
  if (!params) return template;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in params ? String(params[name]) : whole,
  );
}
