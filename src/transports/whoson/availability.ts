/**
 * Whether anybody can take a chat, from WhosOn's GetOperators answer (issue 25 item 12: the
 * first screen says so before the visitor gives a name). The document lists each operator's
 * Status as Online, Busy, Be Right Back or Away; Parker Software's own account of it
 * (whoson.com/features/agent-availability): "When a visitor requests a chat, the request is
 * only sent to users with an 'online' status. If no users have an 'online' status, the 'click
 * to chat' graphic will show 'not available'". So: available when one operator is Online.
 */
import type { WhosOnOperator } from './decode';

export function operatorsAvailable(operators: readonly WhosOnOperator[]): boolean {
  return operators.some((o) => o.status.trim().toLowerCase() === 'online');
}
