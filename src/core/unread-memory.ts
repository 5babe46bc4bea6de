/**
 * The unread count survives a reload or a navigation (issue 25 item 14), in-page and inside
 * the frame alike: it lives beside the session snapshot in the same (session) storage. It is
 * only ever written while something is unread, and lines only arrive once the visitor has
 * engaged, so nothing is stored before that; back at 0 the key goes.
 */
import { effect, type Signal } from '@preact/signals-core';
import type { StorageLike } from './persistence';

/** Restores the count (when a chat was restored with it) and keeps it stored; returns the stop. */
export function keepUnread(unread: Signal<number>, storage: StorageLike | null | undefined, key: string, restore: boolean): () => void {
  try {
    const n = restore ? Number(storage?.getItem(key)) : 0;
    if (n > 0 && n < 1e4) unread.value = Math.floor(n);
  } catch {
    // storage blocked: the count starts at 0
  }
  return effect(() => {
    const n = unread.value;
    try {
      if (n) storage?.setItem(key, String(n));
      else storage?.removeItem(key);
    } catch {
      // storage full or blocked: the count is not kept past this page
    }
  });
}
