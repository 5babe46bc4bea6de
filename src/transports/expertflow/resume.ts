/**
 * What an ExpertFlow chat carries across a page change (the resume token): the conversation
 * while it is active, and who is a bot as learnt so far. The document's Participant is only
 * `{ id, name }`: anyone speaking or joining before the request is handed off (`handOff`) is
 * the bot, those who join after it are people; an undocumented `type`/`role`/`participantType`
 * saying bot or agent is honoured when present, never needed.
 */
import type { Json } from '../../core/contract';
import { decodeParticipant, type Activity, type Arrived, type Participant } from './decode';

export interface Conversation {
  id: string;
  me: Participant;
  requestId: string;
  /** The address given at init: where the server mails the transcript ('' for none). */
  email: string;
}

/** Who is a bot, as learnt so far (kept across page changes in the resume token). */
export interface Roles {
  handedOff: boolean;
  bots: Set<string>;
  people: Set<string>;
}
/** Participants remembered per role: a bound, as the ids come from the server. */
const MAX_REMEMBERED = 50;

/** Bot or person (see the top of this file); a participant seen for the first time is remembered. */
export function roleOf(roles: Roles, p: Participant): boolean {
  if (p.isBot !== undefined) return p.isBot;
  if (roles.bots.has(p.id)) return true;
  if (roles.people.has(p.id)) return false;
  const into = roles.handedOff ? roles.people : roles.bots;
  if (into.size < MAX_REMEMBERED) into.add(p.id);
  return !roles.handedOff;
}

/**
 * The resume token: the conversation while it is active, and after its end the same marked
 * `ended: true`, which the session passes back after a page change in the ended phases so that
 * the transcript (asked for by conversation id) still works. `{ ended: true }` alone: the chat
 * ended before the server named its conversation, so there is no transcript to offer.
 */
export function resumeToken(c: Conversation | null, over: boolean, roles: Roles): Json {
  const conversation = c && {
    id: c.id,
    me: { id: c.me.id, name: c.me.name },
    requestId: c.requestId,
    email: c.email,
    handedOff: roles.handedOff,
    bots: [...roles.bots],
    people: [...roles.people],
  };
  return over ? { ...conversation, ended: true } : conversation;
}

export function resumed(token: Json | undefined): { conv: Conversation | null; ended: boolean; roles: Roles } {
  const o = token && typeof token === 'object' && !Array.isArray(token) ? token : null;
  const me = o && decodeParticipant(o.me);
  const conv =
    o && me && typeof o.id === 'string' && typeof o.requestId === 'string'
      ? { id: o.id, me, requestId: o.requestId, email: typeof o.email === 'string' ? o.email : '' }
      : null;
  const ids = (v: Json | undefined) => new Set(Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
  return { conv, ended: o?.ended === true, roles: { handedOff: o?.handedOff === true, bots: ids(o?.bots), people: ids(o?.people) } };
}

/**
 * A `noAgentAvailable` that is the latest word on the request in the history (nobody joined,
 * wrote or was handed the chat after it): the rejection happened while this page was away
 * (a restart, a page change), and the visitor must not wait for an agent who will not come.
 */
export function unansweredRejection(c: Conversation, messages: readonly Arrived[], isBot: (p: Participant) => boolean): Activity | undefined {
  let last: Activity | undefined;
  for (const m of messages) {
    if (m.conversationId && m.conversationId !== c.id) continue;
    // An agent's line, a new hand-off, or someone other than the visitor joining answers it.
    if (m.type === 'ChatMessage') {
      // A bot talking on after it (as bots do) is no answer: only a person's line is.
      if (!m.whisper && m.from.id !== c.me.id && !isBot(m.from)) last = undefined;
    } else if (m.activityType === 'noAgentAvailable') last = m;
    else if (m.activityType === 'handOff') last = undefined;
    else if (m.activityType === 'participantAdded' || m.activityType === 'participantJoined') {
      const who = decodeParticipant(m.info.participant) ?? m.from;
      if (who && who.id !== c.me.id) last = undefined;
    }
  }
  return last;
}
