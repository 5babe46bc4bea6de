/**
 * A shared store that fails for a moment (a Redis Sentinel failover: the connection is cut and
 * ioredis asks the Sentinels for the new master; Redis's own FAILOVER pauses writes; a command
 * times out meanwhile) must not end the chats it serves. A step that failed is tried again once
 * the store answers a PING, for at most the store's `graceMs`; a store that stays away longer
 * ends the affected chats as before (./registry.ts storeLost), so a hung Redis still tells the
 * visitor rather than leaving the chat silent.
 *
 * Only steps that are safe to repeat are repeated: everything before an operation's task ran
 * (the lock, reading the record), and the commit after it, which carries a commit id so that a
 * commit whose first answer was lost (it was applied, then the connection went) is applied once.
 */
import { SessionBusy, StaleCommit, type SessionStore } from './store';
// Used at call time only, so the mutual import with ./registry.ts is harmless.
import { SessionGone } from './registry';

/** Errors that are answers, not failures: the store works, it said no. */
function isAnswer(err: unknown): boolean {
  return err instanceof StaleCommit || err instanceof SessionGone || err instanceof SessionBusy;
}

/** Resolves true once the store answers a PING before `deadline` (wall time), false otherwise. */
async function answersBy(store: SessionStore, deadline: number): Promise<boolean> {
  for (let wait = 20; ; wait = Math.min(wait * 2, 250)) {
    const left = deadline - Date.now();
    if (left <= 0) return false;
    let timer: NodeJS.Timeout | undefined;
    const ok = await Promise.race([
      Promise.resolve(store.ping?.()).then(
        () => true,
        () => false,
      ),
      new Promise<false>((r) => (timer = setTimeout(() => r(false), left))),
    ]);
    clearTimeout(timer);
    if (ok) return true;
    await new Promise((r) => setTimeout(r, Math.min(wait, Math.max(0, deadline - Date.now()))));
  }
}

/**
 * Runs `step`; when it fails with a store failure (not an answer such as StaleCommit) and
 * `repeatable()` still says so, waits for the store to answer again within its grace and runs
 * it again. The last failure is thrown once the grace has passed.
 */
export async function withinGrace<T>(
  store: SessionStore,
  step: () => Promise<T>,
  repeatable: () => boolean = () => true,
  log?: (message: string) => void,
): Promise<T> {
  const grace = store.graceMs ?? 0;
  let deadline = 0;
  for (;;) {
    try {
      return await step();
    } catch (err) {
      if (isAnswer(err) || grace <= 0 || !repeatable()) throw err;
      if (!deadline) log?.(`the session store failed (${String(err)}); waiting up to ${grace} ms for it to answer again`);
      deadline ||= Date.now() + grace;
      if (!(await answersBy(store, deadline))) throw err;
    }
  }
}
