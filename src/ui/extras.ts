/**
 * The visitor-UX extras (issue 25: the "End this chat?" question, the emoji button, the file
 * picker with its paperclip, drag-and-drop / paste of files, the message box growing, their
 * CSS) live in a chunk of their own so the app chunk stays in budget. It is fetched the first
 * time a component asks (the header, as the window opens), long before a chat is live; until
 * it arrives those controls are absent ("End chat" is disabled rather than ending unasked).
 */
import { signal } from '@preact/signals-core';

type Extras = typeof import('./visitor-extras');
const loaded = signal<Extras | null>(null);
let loading: Promise<void> | null = null;

/** Fetches the chunk (once; a failed fetch is tried again on the next call). */
export function loadExtras(): Promise<void> {
  return (loading ??= import('./visitor-extras').then(
    (m) => void (loaded.value = m),
    () => void (loading = null),
  ));
}

/** The extras module if it has arrived, without subscribing (e.g. in a cleanup). */
export const extrasNow = (): Extras | null => loaded.peek();

/** The extras module once it has arrived (reading it re-renders the caller on arrival). */
export function useExtras(): Extras | null {
  void loadExtras();
  return loaded.value;
}
