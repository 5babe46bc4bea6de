/**
 * The sessions this relay instance holds: each one's adapter built from (and committed back
 * to) the SessionStore, one operation at a time under the store's lock, and the ways a
 * session ends (idle expiry, shutdown, a store that lost it).
 */
import type { ConfabEventBody, Json } from '../../core/contract';
import { CLOSE_FATAL, type RelayPage, type ServerFrame } from '../../protocol/relay';
import type { RelayAdapter, RelayAdapterFactory, RelayFile } from './adapter';
import type { RelayEnv } from './env';
import { hookToken } from './hook-tokens';
import { RelaySession } from './session';
import { StaleCommit, type SessionRecord } from './store';
import { withinGrace } from './store-grace';
import { newId, sign } from './tokens';
import { safeStoredFile } from './upload-sniff';
import { telemetry } from './telemetry';

/** The store no longer has the session (it expired, possibly on another instance). */
export class SessionGone extends Error {}

export interface SessionRegistry {
  /** Sessions this instance has loaded: the ones it created, resumed or served a hookpoint for. */
  readonly local: Map<string, RelaySession>;
  /** This instance's copy of a session, loaded from the store when another instance made it. */
  load(id: string): Promise<RelaySession | null>;
  operate<T>(session: RelaySession, task: () => Promise<T>): Promise<T>;
  createSession(factory: RelayAdapterFactory, page: RelayPage): Promise<RelaySession>;
  endSession(session: RelaySession, reason: 'expired' | 'shutdown'): Promise<void>;
  /** Emit an event outside any operation: committed at once. */
  emitNow(session: RelaySession, event: ConfabEventBody): void;
  storeLost(session: RelaySession, why: string): void;
  /** End expired sessions; let go of copies and of sessions the store lost. */
  sweep(): Promise<void>;
}

export function sessionRegistry(env: RelayEnv): SessionRegistry {
  const { config, store, log, adapters, bufferLimit, idleMs, clock } = env;
  const now = () => clock.now();
  const local = new Map<string, RelaySession>();
  const loading = new Map<string, Promise<RelaySession | null>>();
  telemetry().watchSessions(() => [...local.values()].map((s) => ({ vendor: s.vendor, attached: s.socket !== null && s.socket !== undefined })));

  function storeFile(session: RelaySession, file: RelayFile): string {
    const fileId = newId(12);
    // Served by its bytes, under a name without bidi tricks (./upload-sniff.ts).
    file = safeStoredFile(file);
    const put = store.putFile(fileId, { ...file, sessionId: session.id }, env.maxSessionFileBytes);
    session.filesPending = Promise.all([session.filesPending, put.catch((err: unknown) => log(`file not stored: ${String(err)}`))]);
    const sig = sign(config.signingKey, 'file', `${session.id}/${fileId}`);
    return `${env.publicUrl}/files/${fileId}/${encodeURIComponent(file.name)}?sig=${sig}`;
  }

  /**
   * Commit what the session emitted (and its adapter's state) to the store, in order. A state
   * is committed only over the version it was computed from (`baseVersion`).
   */
  function flush(session: RelaySession, state?: Json, baseVersion?: number): Promise<void> {
    const events = session.outbox.splice(0);
    for (const e of events) telemetry().sessionEvent(session.vendor, session.id, e);
    const done = session.persisted.then(async () => {
      await session.filesPending;
      try {
        // Sent again as the same commit (its id) when a failover cut its answer off.
        const commit = { events, state, baseVersion, id: newId(12) };
        const version = await withinGrace(store, () => store.commit(session.id, commit, bufferLimit, now()), undefined, log);
        if (version !== null && state !== undefined) session.version = version;
      } catch (err) {
        // This copy of the adapter went its own way: the next operation rebuilds it from the store.
        if (err instanceof StaleCommit) session.version = -1;
        throw err;
      }
    });
    session.persisted = done.catch((err: unknown) => log(`${session.id.slice(0, 6)}: events not stored: ${String(err)}`));
    return done;
  }

  function emitNow(session: RelaySession, event: ConfabEventBody): void {
    session.outbox.push(event);
    void flush(session);
  }

  function build(session: RelaySession, record: Pick<SessionRecord, 'page' | 'state' | 'version'>): RelayAdapter {
    const vendor = session.vendor;
    session.ctx = {
      sessionId: session.id,
      page: record.page,
      hookpointBase: `${env.hookpointBase}/${vendor}/${hookToken(config.signingKey, session.id)}`,
      emit: (event: ConfabEventBody) => {
        session.outbox.push(event);
        // Inside an operation the events are committed with the state it leaves behind;
        // outside one (an adapter's own channel calling back) they are committed at once.
        if (!session.inOperation) void flush(session);
      },
      storeFile: (file) => storeFile(session, file),
      touch: () => {
        session.touch();
        void store.touch(session.id, now()).catch(() => undefined);
      },
      files: { allowedTypes: env.allowedTypes, maxBytes: env.maxUploadBytes },
      log: (m) => telemetry().adapterLog(vendor, session.id, m, log),
    };
    session.adapter = session.factory.create(session.ctx, record.state ?? undefined);
    session.version = record.version;
    return session.adapter;
  }

  function load(id: string): Promise<RelaySession | null> {
    const have = local.get(id);
    if (have) return Promise.resolve(have);
    let p = loading.get(id);
    if (!p) {
      p = (async () => {
        const record = await store.get(id);
        const factory = record && adapters.get(record.vendor);
        // An adapter without snapshots cannot be rebuilt here: its session stays where it began.
        if (!record || !factory || !record.portable) return null;
        const again = local.get(id);
        if (again) return again;
        const session = new RelaySession(id, factory, now);
        session.portable = true;
        build(session, record);
        local.set(id, session);
        return session;
      })().finally(() => loading.delete(id));
      loading.set(id, p);
    }
    return p;
  }

  /**
   * One operation on a session (open, a command, a hookpoint, the end): one at a time here,
   * under the store's lock across instances, on an adapter current with the store, and its
   * events committed together with the state it leaves before it counts as done.
   */
  function operate<T>(session: RelaySession, task: () => Promise<T>): Promise<T> {
    // Until the task runs (the vendor may be called), a store failure repeats the whole step.
    let ran = false;
    const owner = newId(12);
    return session.run(() =>
      withinGrace(store, () => store.withLock(session.id, async () => {
        if (store.shared && session.portable) {
          const record = await store.get(session.id);
          if (!record) throw new SessionGone();
          if (record.version !== session.version) build(session, record);
        }
        const base = session.version;
        ran = true;
        session.inOperation = true;
        session.touch();
        try {
          return await task();
        } finally {
          session.inOperation = false;
          const state = session.adapter.snapshot?.();
          await flush(session, state, state === undefined ? undefined : base);
        }
      }, owner), () => !ran, log),
    );
  }

  async function createSession(factory: RelayAdapterFactory, page: RelayPage): Promise<RelaySession> {
    const id = newId();
    const session = new RelaySession(id, factory, now);
    build(session, { page, state: null, version: 0 });
    session.portable = typeof session.adapter.snapshot === 'function';
    await store.create(
      {
        id,
        vendor: factory.vendor,
        hookKey: session.adapter.hookKey,
        page,
        state: session.adapter.snapshot?.() ?? null,
        version: 0,
        portable: session.portable,
      },
      now(),
    );
    local.set(id, session);
    return session;
  }

  async function endSession(session: RelaySession, reason: 'expired' | 'shutdown'): Promise<void> {
    const forget = reason === 'expired' || !store.shared;
    try {
      await operate(session, async () => {
        if (reason === 'expired') session.ctx.emit({ type: 'ended', by: 'timeout' });
        // A shared store keeps the session for another instance: only instance-bound adapters let go.
        if (forget || !session.portable) await session.adapter.close(reason);
      });
    } catch (err) {
      if (!(err instanceof SessionGone)) log(`${session.id.slice(0, 6)}: ending failed: ${String(err)}`);
    }
    if (reason === 'expired') session.socket?.close(1000, 'session expired');
    local.delete(session.id);
    if (forget) await store.remove(session.id);
  }

  /**
   * The store failed under a session this instance serves (an outage, or a Redis that came back
   * empty): its chat cannot go on reliably, so the visitor is told now, on the socket (the store
   * cannot carry the news), and the widget ends the chat with its "could not be resumed" line.
   */
  function storeLost(session: RelaySession, why: string): void {
    log(`${session.id.slice(0, 6)}: chat ended, the session store failed: ${why}`);
    const ws = session.socket;
    local.delete(session.id);
    // The visitor already saw the chat end (it expired on another instance): just let go.
    if (ws && session.endedLast) return void ws.close(1000, 'session ended');
    if (ws && ws.readyState === ws.OPEN) {
      const frame: ServerFrame = { type: 'fatal', code: 'session-unknown', message: 'The chat service lost this conversation.' };
      ws.send(JSON.stringify(frame));
      ws.close(CLOSE_FATAL, 'session-unknown');
    }
  }

  async function sweep(): Promise<void> {
    const t = now();
    for (const id of await store.idle(t - idleMs)) {
      if (env.closing()) return;
      const mine = local.get(id);
      if (mine?.busy) continue;
      // Every instance sweeps; exactly one claims each expired session and ends it.
      if (!(await store.claimEnd(id))) continue;
      const session = mine ?? (await load(id));
      if (session) await endSession(session, 'expired');
      else await store.remove(id);
    }
    if (store.shared) {
      // A visitor attached here whose session the store no longer has (Redis came back empty)
      // is told now rather than waiting for agent messages that can no longer reach it.
      const attached = [...local.values()].filter((s) => s.socket && !s.busy);
      const records = await Promise.all(attached.map((s) => store.get(s.id)));
      attached.forEach((s, i) => {
        if (!records[i] && local.get(s.id) === s) storeLost(s, 'the session is gone from the store');
      });
      // Copies of sessions no visitor is attached to here are rebuilt from the store when needed.
      for (const s of local.values()) {
        if (s.portable && !s.socket && !s.busy && t - s.lastUsed > Math.min(idleMs, 60_000)) local.delete(s.id);
      }
    }
  }

  return { local, load, operate, createSession, endSession, emitNow, storeLost, sweep };
}
