/**
 * Delivery and replay: every event the store announces goes to the visitor's socket in seq
 * order, exactly once per socket; a gap, a resume or a new socket is filled from the store.
 */
import type { WebSocket } from 'ws';
import type { ServerFrame } from '../../protocol/relay';
import type { RelayEnv } from './env';
import type { SessionRegistry } from './registry';
import type { RelaySession } from './session';
import type { StoredEvent } from './store';

export interface Delivery {
  /** Put `ws` on the session, say `welcome`, and send what the store holds after `lastSeq`. */
  attach(session: RelaySession, ws: WebSocket, lastSeq: number, welcome: ServerFrame): Promise<void>;
}

export function startDelivery(env: RelayEnv, registry: SessionRegistry): Delivery {
  const { store, log } = env;

  store.onEvent((id, item) => {
    const session = registry.local.get(id);
    if (session?.socket) deliver(session, item);
  });

  function deliver(session: RelaySession, item: StoredEvent): void {
    if (session.syncing) {
      session.syncAgain = true;
      return;
    }
    if (item.seq <= session.sentUpTo) return;
    // A gap means an announcement was missed (or overtaken): the store has the full sequence.
    if (item.seq !== session.sentUpTo + 1) return void sync(session, session.socket!, null);
    session.sentUpTo = item.seq;
    session.sendEvent(item);
  }

  /** Send what the store holds beyond `sentUpTo`, until no announcement arrived meanwhile. */
  async function sync(session: RelaySession, ws: WebSocket, resumeFrom: number | null): Promise<void> {
    if (session.syncing && resumeFrom === null) {
      session.syncAgain = true;
      return;
    }
    session.syncing = true;
    let lost = false;
    let resume = resumeFrom !== null;
    try {
      do {
        session.syncAgain = false;
        const r = await store.replay(session.id, session.sentUpTo, resume);
        resume = false;
        lost ||= r.lost;
        if (session.socket !== ws) return;
        for (const item of r.events) {
          if (item.seq <= session.sentUpTo) continue;
          session.sentUpTo = item.seq;
          session.sendEvent(item);
        }
      } while (session.syncAgain);
    } catch (err) {
      log(`${session.id.slice(0, 6)}: replay failed: ${String(err)}`);
    } finally {
      if (session.socket === ws) session.syncing = false;
    }
    if (lost) {
      registry.emitNow(session, { type: 'error', code: 'events-lost', message: 'Some messages sent while you were away could not be kept.', fatal: false });
    }
  }

  function attach(session: RelaySession, ws: WebSocket, lastSeq: number, welcome: ServerFrame): Promise<void> {
    session.touch();
    void store.touch(session.id, env.clock.now()).catch(() => undefined);
    session.socket = ws;
    session.sentUpTo = lastSeq;
    session.syncing = false;
    session.send(welcome);
    return sync(session, ws, lastSeq);
  }

  return { attach };
}
