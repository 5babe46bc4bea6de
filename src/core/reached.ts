/**
 * Whether a chat that ended reached someone. WhosOn, whose post-chat survey the ended view
 * offers, offers it only "if the chat was accepted": a chat cancelled (or lost) before that
 * has no chat id, so a survey would be about nothing. The session keeps no "accepted" flag,
 * so its traces are read: an accepted chat gets the server's paging, waiting or queue lines
 * (`wait`) or an agent who joined or spoke. When it is not known how the chat ended (no
 * `endedBy`), it counts as reached, and the survey stays on offer. Only the ended view reads
 * it, so it lives in that lazy chunk, not in the app.
 */
import type { Session } from './session-api';

export function reachedSomeone(session: Pick<Session, 'endedBy' | 'wait' | 'agent' | 'transcript'>): boolean {
  if (session.endedBy.value === null) return true;
  const wait = session.wait.value;
  if (wait.kind !== undefined || wait.text !== undefined || wait.position !== undefined) return true;
  if (session.agent.value) return true;
  return session.transcript.value.some((item) => item.kind === 'message' && (item.sender === 'agent' || item.sender === 'bot'));
}
