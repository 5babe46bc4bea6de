/** What a person can do from the agent console, per vendor (the Desk offers these). */

/** Console actions. Generic ones map onto AgentHost; `control:<name>` onto the host's own controls. */
export type DeskAction =
  | 'say' | 'typing-on' | 'typing-off' | 'queue' | 'paging' | 'waiting1' | 'waiting2' | 'join' | 'transfer'
  | 'request-file' | 'request-field' | 'attach' | 'rating' | 'end' | 'timeout' | `control:${string}`;

export interface DeskActionInfo {
  action: DeskAction;
  label: string;
}

/** Labels of the generic actions, in the console's order. */
export const GENERIC: Record<Exclude<DeskAction, `control:${string}`>, string> = {
  say: 'Send',
  'typing-on': 'Typing',
  'typing-off': 'Stop typing',
  queue: 'Queue position',
  paging: 'Paging line',
  waiting1: 'Waiting line',
  waiting2: 'Second waiting line',
  join: 'Join',
  transfer: 'Transfer',
  'request-file': 'Ask for a file',
  'request-field': 'Ask for a field',
  attach: 'Send a file',
  rating: 'Rating request',
  end: 'End (agent)',
  timeout: 'End (timeout)',
};

/**
 * Which generic actions reach the visitor on each vendor: the host method exists AND the
 * vendor's server sends something for it (hosts keep silent no-ops where a vendor has no
 * event, e.g. Omnidesk's queue). A vendor's own events come from its host's `controls`.
 */
export const ALWAYS: DeskAction[] = ['say', 'typing-on', 'join', 'end'];
export const VENDOR_ACTIONS: Record<string, DeskAction[]> = {
  whoson: [...ALWAYS, 'typing-off', 'queue', 'paging', 'waiting1', 'waiting2', 'transfer', 'request-file', 'request-field', 'timeout'],
  // ExpertFlow: a transfer is the agent's participantLeft and another agent's participantJoined.
  expertflow: [...ALWAYS, 'transfer', 'attach', 'timeout'],
  'expertflow-cx': [...ALWAYS, 'waiting1', 'transfer', 'attach', 'timeout'],
  tencent: [...ALWAYS, 'rating', 'timeout'],
  // Omnidesk's agent side has no join event (the name rides on each line); Diyalog ends one way.
  omnidesk: ['say', 'typing-on', 'typing-off', 'attach', 'end'],
  diyalog: [...ALWAYS, 'typing-off'],
};

/**
 * Vendors whose protocol carries no visitor typing to the agent: the console says so (and why)
 * instead of showing nothing.
 */
export const TYPING_UNSEEN: Record<string, string> = {
  tencent:
    "Tencent Cloud Desk cannot show the visitor's typing: its custom messages carry only the agent's typing (src 12, desk to user); the desk defines no typing message from the user, so the widget sends none.",
  diyalog:
    "Diyalog cannot show the visitor's typing: its online-help SDK (startAnonymousOnlineHelp, the chat-state subscription, closeMessaging) has no call for the customer's typing, so the relay has nothing to pass on.",
};

