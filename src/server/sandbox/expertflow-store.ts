/**
 * ExpertFlow sandbox state: conversations and test switches in a store that may outlive a
 * running simulator (see expertflow.ts), and the small JSON helpers its modules share.
 */
import { randomBytes } from 'node:crypto';
import type { ScriptedAgent } from './agent';

import type { Obj } from './obj';

export { obj, str, type Obj } from './obj';

export interface WireParticipant {
  id: string;
  name: string;
  type: 'customer' | 'agent' | 'bot';
}

/** Undocumented fields a real server may add; sent only when a test asks for them. */
export type ExpertFlowExtra = 'queue' | 'text' | 'type';

export interface ExpertFlowConversation {
  id: string;
  requestId: string;
  customer: WireParticipant;
  /** The init request body as received. */
  init: Obj;
  participants: WireParticipant[];
  /** Every ChatMessage and lasting ActivityMessage, as sent on the wire (what conversationInfo returns). */
  history: Obj[];
  state: 'new' | 'active' | 'ended';
  agent?: ScriptedAgent;
  /** Bot-first: the bot holds the conversation until it hands off. */
  bot?: { participant: WireParticipant; handedOff: boolean; timers: Set<ReturnType<typeof setTimeout>> };
}

/** Conversations and pending test switches; pass the same store to a restarted simulator. */
export class ExpertFlowStore {
  readonly conversations = new Map<string, ExpertFlowConversation>();
  /** HTTP statuses the next init requests answer with (e.g. [503]) before succeeding again. */
  readonly initFailures: number[] = [];
  /** Transcript emails "sent": the conversation and the address given at init (none: ''). */
  readonly emails: Array<{ conversationId: string; to: string }> = [];
  /** Frames that broke the document's rules, as readable lines (tests assert none). */
  readonly violations: string[] = [];
  /** New conversations start with a bot (read at each join of a new conversation). */
  bot = false;
  /** Undocumented extras sent from now on. */
  extras = new Set<ExpertFlowExtra>();
  /** Set by the running simulator: delivers an event to a conversation's room. */
  deliver?: (conversationId: string, event: string, payload: Obj) => void;
  /**
   * Fault hook: every messageArrived goes out twice, followed by the previous one again
   * (a duplicate and a stale, out-of-order frame), as a flaky proxy or a replay would.
   */
  garble = false;

  /** Stop every agent's timers (the store is finished with). */
  dispose(): void {
    for (const c of this.conversations.values()) {
      c.agent?.stop();
      c.bot?.timers.forEach(clearTimeout);
    }
  }
}

export function createExpertFlowStore(): ExpertFlowStore {
  return new ExpertFlowStore();
}

export const hex = (bytes: number): string => randomBytes(bytes).toString('hex');
export const iso = (): string => new Date().toISOString();
