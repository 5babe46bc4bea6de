/**
 * What the channel reports, read as Confab events: agent lines, and Diyalog's online help
 * states (D3) as steps of the chat. isBackground is always true:
 * Confab manages the wait screen, so the document says STARTED "will not return" — the
 * successful start result itself opens the wait screen:
 *   start result true      → accepted + waiting (the waitDisplayText)
 *   start result false     → error "start-failed" with Diyalog's code and message, retryable:
 *                            the session returns to the pre-chat step and offers Retry (the
 *                            browser fetches a fresh transactionHash for it)
 *   STARTED                → same as a successful result, if it comes anyway (at most once)
 *   CHAT_INPROGRESS        → agent joined (chatting)
 *   CHAT_ENDED             → before a representative joined: rejected (nobody available, offline);
 *                            during the conversation: ended; by system with "msg (code …)" when
 *                            it carries an error
 *   NO_CHAT                → nothing while closed or waiting (it is the initial value, and with
 *                            isBackground no STARTED replaces it); during a conversation the
 *                            help vanished without CHAT_ENDED, so: ended by system.
 *                            The document's prose once spells it "N0_CHAT" (a zero): read alike.
 *   cancel / end           → closeMessaging, ended by visitor
 */
import type { ConfabEventBody } from '../../../core/contract';
import { ONLINE_HELP_STATES, type OnlineHelpChatMessage, type OnlineHelpState, type OnlineHelpStateInfo } from './diyalog-channel';
import { describeDiyalogError } from './diyalog-errors';

export type Phase = 'idle' | 'starting' | 'waiting' | 'chatting' | 'ended';

export type Finish = ConfabEventBody & { type: 'ended' | 'rejected' };

/** What a state the channel reports does to a chat in `phase`. */
export type StateStep =
  | { step: 'none' }
  | { step: 'malformed'; detail: string }
  /** STARTED: the wait screen (only from `starting`). */
  | { step: 'waiting' }
  /** CHAT_INPROGRESS while waiting: a representative joined. */
  | { step: 'joined'; staffId: string | undefined }
  | { step: 'finish'; event: Finish };

const isState = (v: string): v is OnlineHelpState => (ONLINE_HELP_STATES as readonly string[]).includes(v);
const normalState = (v: unknown) => (v === 'N0_CHAT' ? 'NO_CHAT' : v);

export function stateStep(phase: Phase, raw: string, info: OnlineHelpStateInfo): StateStep {
  const value = normalState(raw);
  if (typeof value !== 'string' || !isState(value)) return { step: 'malformed', detail: `unknown online help state ${JSON.stringify(raw)?.slice(0, 60)}` };
  const active = phase === 'waiting' || phase === 'chatting';
  switch (value) {
    case 'NO_CHAT':
      return phase === 'chatting' ? { step: 'finish', event: { type: 'ended', by: 'system' } } : { step: 'none' };
    case 'STARTED':
      return { step: 'waiting' };
    case 'CHAT_INPROGRESS': {
      if (phase !== 'waiting') return { step: 'none' };
      const staffId = typeof info.staffId === 'string' && /^[\w.@:-]{1,100}$/.test(info.staffId) ? info.staffId : undefined;
      return { step: 'joined', staffId };
    }
    case 'CHAT_ENDED': {
      if (!active) return { step: 'none' };
      const error = info.error;
      // Ended before any representative took it (NO_REPRESENTATIVE and the like): nobody is
      // available — the offline view, in the visitor's words, not "msg (code X)" (issue 25).
      if (phase !== 'chatting') return { step: 'finish', event: { type: 'rejected', reason: '' } };
      if (error && typeof error.code === 'string' && typeof error.msg === 'string') {
        return { step: 'finish', event: { type: 'ended', by: 'system', text: describeDiyalogError(error.code, error.msg) } };
      }
      // Who ended it is not in the document: a conversation that had started was most
      // likely closed by the representative.
      return { step: 'finish', event: { type: 'ended', by: 'agent' } };
    }
  }
}

const MAX_TEXT = 4000;

/** A representative's line as a message event; null when it has no id or text (malformed). */
export function agentLine(m: OnlineHelpChatMessage): ConfabEventBody | null {
  if (!m || typeof m.id !== 'string' || !m.id || typeof m.text !== 'string') return null;
  return {
    type: 'message',
    message: {
      id: m.id,
      sender: 'agent',
      text: m.text.slice(0, MAX_TEXT),
      ...(typeof m.authorName === 'string' && m.authorName ? { authorName: m.authorName.slice(0, 100) } : {}),
      ...(typeof m.sentAt === 'number' && Number.isFinite(m.sentAt) ? { sentAt: m.sentAt } : {}),
    },
  };
}
