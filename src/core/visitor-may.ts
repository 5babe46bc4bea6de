/**
 * What the visitor may do now, decided once in core and read by the session and the views
 * alike (the composer, the file picker), so a file the picker takes is one the session sends.
 */
import type { Capability, ChatConfig, RatingPolicy } from './contract';
import type { Phase } from './session-api';

/** The file types the visitor may send: an agent's request wins, else the chat's list where the vendor takes files. */
export function fileTypes(requested: readonly string[] | null, config: ChatConfig | null, caps: ReadonlySet<Capability>): readonly string[] {
  return requested?.length ? requested : caps.has('file') ? (config?.allowedFileTypes ?? []) : [];
}

/** A file is one of `types`: extensions ("pdf", ".PDF") or MIME types and patterns ("image/*"). An empty list allows none. */
export function fileAllowed(name: string, mime: string, types: readonly string[]): boolean {
  const lower = name.toLowerCase();
  const dot = lower.lastIndexOf('.');
  const ext = dot >= 0 ? lower.slice(dot + 1) : '';
  return types.some((raw) => {
    const x = raw.trim().toLowerCase().replace(/^\./, '');
    if (!x.includes('/')) return !!ext && x === ext;
    return x.endsWith('/*') ? mime.startsWith(x.slice(0, -1)) : mime === x;
  });
}

/** The visitor may ask the agent for a rating: while chatting, where the vendor and its policy allow it. */
export const mayAskRating = (phase: Phase, caps: ReadonlySet<Capability>, policy: RatingPolicy | null): boolean =>
  phase === 'chatting' && caps.has('ask-rating') && !!policy?.visitorMayAsk;
