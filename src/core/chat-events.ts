/**
 * The public events the session does not emit itself, derived from its signals and from the
 * commands it gives the transport: `started`, `rated`, `offline-message`, `transcript` and
 * `error`. Each carries an `id` (this occurrence's) and `at` (ms since epoch), as `message` does.
 */
import { effect } from '@preact/signals-core';
import { realClock, type Clock, type Command } from './contract';
import { newClientId } from './outbox';
import type { Phase, Session } from './session-api';

export interface ChatEventMap {
  /** A chat request was accepted: the visitor waits for, or talks to, an agent. */
  started: { id: string; at: number };
  rated: { id: string; at: number; ratingId: string; optionId: string; choice?: string };
  /** The server confirmed the visitor's offline message (leave a message). */
  'offline-message': { id: string; at: number };
  /** The server confirmed the transcript request (emailed, or the PDF is ready). */
  transcript: { id: string; at: number; format: 'email' | 'pdf' };
  error: { id: string; at: number; code: string; message: string; fatal: boolean };
}
export type ChatEventName = keyof ChatEventMap;
export const CHAT_EVENTS: readonly ChatEventName[] = ['started', 'rated', 'offline-message', 'transcript', 'error'];

type Fire = <K extends ChatEventName>(name: K, detail: ChatEventMap[K]) => void;
type Body<K extends ChatEventName> = Omit<ChatEventMap[K], 'id' | 'at'>;

const LIVE: ReadonlySet<Phase> = new Set<Phase>(['waiting', 'chatting']);

/**
 * Watches `session` and calls `fire` for each event. Returns the command observer (give it every
 * command the transport receives: see ChatContext.wrap) and the cleanup.
 */
export function watchChatEvents(session: Session, fire: Fire, clock: Clock = realClock): { command(c: Command): void; stop(): void } {
  const emit = <K extends ChatEventName>(name: K, body: Body<K>) =>
    fire(name, { id: newClientId(), at: clock.now(), ...body } as ChatEventMap[K]);
  let format: 'email' | 'pdf' = 'email';
  // The state each signal had last time: an event is a change, not a state restored after a page change.
  let phase = session.phase.peek();
  let leave = session.leaveMessageRequest.peek();
  let transcript = session.transcriptRequest.peek();
  let error = session.error.peek();
  const stops = [
    effect(() => {
      const next = session.phase.value;
      if (LIVE.has(next) && !LIVE.has(phase)) emit('started', {});
      phase = next;
    }),
    effect(() => {
      const next = session.leaveMessageRequest.value;
      if (next === 'done' && leave !== 'done') emit('offline-message', {});
      leave = next;
    }),
    effect(() => {
      const next = session.transcriptRequest.value;
      if (next === 'done' && transcript !== 'done') emit('transcript', { format });
      transcript = next;
    }),
    effect(() => {
      const next = session.error.value;
      if (next && next !== error) emit('error', { code: next.code, message: next.message, fatal: next.fatal });
      error = next;
    }),
  ];
  return {
    command(c) {
      if (c.type === 'transcript') format = c.format;
      if (c.type !== 'rate') return;
      const items = session.transcript.peek();
      let choice: string | undefined;
      for (let i = items.length - 1; i >= 0 && choice === undefined; i--) {
        const item = items[i]!;
        if (item.kind === 'rating' && item.rating.id === c.ratingId) choice = item.rating.options.find((o) => o.id === c.optionId)?.label ?? '';
      }
      emit('rated', { ratingId: c.ratingId, optionId: c.optionId, ...(choice ? { choice } : {}) });
    },
    stop: () => stops.forEach((s) => s()),
  };
}
