/**
 * `Confab('reset')`'s storage half: what a shared computer must not keep of the last visitor.
 * The stored chat (sessionStorage), the consent given for it, and the stable visitor id
 * (localStorage, and its in-memory copy when storage is blocked).
 */
import { forget, forgetMemoryVisitorId, type StorageLike } from './persistence';

export function forgetVisitor(storage: StorageLike | null, durable: StorageLike | null | undefined, storageKey: string): void {
  for (const suffix of ['session', 'consent']) forget(storage, `${storageKey}:${suffix}`);
  forget(durable, `${storageKey}:visitor`);
  forgetMemoryVisitorId();
}
