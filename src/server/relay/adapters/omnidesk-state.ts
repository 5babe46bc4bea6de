/**
 * What an Omnidesk chat keeps between operations (RelayAdapter.snapshot): enough for another
 * relay instance to carry it on, read back defensively (the store is shared, versions differ).
 */
import { randomBytes } from 'node:crypto';
import type { Json } from '../../../core/contract';

export interface OmnideskState {
  hookKey: string;
  messageNumber: number;
  numbered: [string, number][];
  echoed: string[];
  started: boolean;
  /** The pre-chat chatbot log went out (or may have): a retried start does not send it again. */
  prechatLogged: boolean;
  ended: boolean;
  agentsAvailable: boolean | null;
  agentName: string | null;
  agentLines: number;
  visitorTyping: boolean;
}

/** A fresh chatSessionID: `[A-Za-z0-9-]` only, 128 random bits. */
export function newChatSessionId(): string {
  return `confab-${randomBytes(16).toString('hex')}`;
}

/** Retries and replays concern recent lines only; older client ids need not travel. */
export const REMEMBERED_CLIENT_IDS = 200;

export function readState(raw: Json | undefined): Partial<OmnideskState> {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return {};
  const o = raw as Record<string, Json>;
  const num = (v: Json | undefined) => (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : 0);
  const pairs = Array.isArray(o.numbered) ? o.numbered : [];
  return {
    hookKey: typeof o.hookKey === 'string' && o.hookKey ? o.hookKey : undefined,
    messageNumber: num(o.messageNumber),
    numbered: pairs.filter((p): p is [string, number] => Array.isArray(p) && typeof p[0] === 'string' && typeof p[1] === 'number'),
    echoed: (Array.isArray(o.echoed) ? o.echoed : []).filter((e): e is string => typeof e === 'string'),
    started: o.started === true,
    prechatLogged: o.prechatLogged === true,
    ended: o.ended === true,
    agentsAvailable: typeof o.agentsAvailable === 'boolean' ? o.agentsAvailable : null,
    agentName: typeof o.agentName === 'string' ? o.agentName : null,
    agentLines: num(o.agentLines),
    visitorTyping: o.visitorTyping === true,
  };
}
