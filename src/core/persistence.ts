/**
 * What survives a page navigation: a JSON snapshot of the session in sessionStorage
 * (one per widget instance), and a stable visitor id in localStorage. Browsers throw
 * from storage in private modes, on quota and when cookies are blocked; none of that
 * may break the chat, so every access is guarded and a bad snapshot is simply ignored.
 */
import type { Agent, ChatConfig, EndedBy, Json, RatingPolicy, VisitorInfo } from './contract';
import type { OfflineState, Phase, TranscriptItem, WaitState } from './session-api';
import { newClientId } from './outbox';

export type StorageLike = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

export interface Snapshot {
  v: 1;
  phase: Phase;
  transcript: TranscriptItem[];
  agent: Agent | null;
  wait: WaitState;
  config: ChatConfig | null;
  resume: Json | undefined;
  endedBy: EndedBy | null;
  isOpen: boolean;
  visitor: VisitorInfo;
  offline: OfflineState | null;
  ratingPolicy: RatingPolicy | null;
  /** Vendor message id → transcript item id, so re-delivered lines stay de-duplicated. */
  seen: Record<string, string>;
  /** Older lines were dropped to keep the snapshot small (see MAX_STORED_ITEMS in session.ts). */
  earlier?: boolean;
}

const PHASES: ReadonlySet<string> = new Set<Phase>([
  'closed',
  'prechat',
  'starting',
  'waiting',
  'chatting',
  'ended',
  'postchat',
  'done',
  'offline',
]);

function read(storage: StorageLike | null | undefined, key: string): string | null {
  try {
    return storage ? storage.getItem(key) : null;
  } catch {
    return null;
  }
}

function write(storage: StorageLike | null | undefined, key: string, value: string): boolean {
  try {
    storage?.setItem(key, value);
    return true;
  } catch {
    return false;
  }
}

export function forget(storage: StorageLike | null | undefined, key: string): void {
  try {
    storage?.removeItem(key);
  } catch {
    // Nothing to do: the snapshot will be overwritten by the next save anyway.
  }
}

const isObject = (x: unknown): x is Record<string, unknown> =>
  typeof x === 'object' && x !== null && !Array.isArray(x);

/** The stored snapshot, or null when there is none or it is not one we wrote. */
export function loadSnapshot(storage: StorageLike | null | undefined, key: string): Snapshot | null {
  const raw = read(storage, key);
  if (!raw) return null;
  let data: unknown;
  try {
    data = JSON.parse(raw);
  } catch {
    return null;
  }
  if (!isObject(data) || data.v !== 1 || typeof data.phase !== 'string' || !PHASES.has(data.phase)) {
    return null;
  }
  if (!Array.isArray(data.transcript) || !isObject(data.wait) || !isObject(data.visitor)) return null;
  const transcript = data.transcript.filter(
    (item): item is TranscriptItem =>
      isObject(item) && typeof item.id === 'string' && typeof item.kind === 'string',
  );
  return {
    ...(data as unknown as Snapshot),
    transcript,
    seen: isObject(data.seen) ? (data.seen as Record<string, string>) : {},
    isOpen: data.isOpen === true,
    earlier: data.earlier === true,
  };
}

export function saveSnapshot(storage: StorageLike | null | undefined, key: string, snap: Snapshot): void {
  let json: string;
  try {
    json = JSON.stringify(snap);
  } catch {
    return;
  }
  if (!write(storage, key, json)) {
    // Quota: the transcript is the large part; keep the chat resumable without it.
    write(storage, key, JSON.stringify({ ...snap, transcript: [], seen: {}, earlier: snap.transcript.length > 0 }));
  }
}

let memoryVisitorId: string | null = null;

/** `reset`: the next visitor id is a new one even where storage is blocked. */
export function forgetMemoryVisitorId(): void {
  memoryVisitorId = null;
}

/** The browser's stable visitor id: created once, kept in durable storage when it works. */
export function visitorIdFrom(storage: StorageLike | null | undefined, key: string): string {
  const stored = read(storage, key);
  if (stored && /^[\w-]{8,64}$/.test(stored)) return stored;
  const id = memoryVisitorId ?? newClientId();
  memoryVisitorId = id;
  write(storage, key, id);
  return id;
}
