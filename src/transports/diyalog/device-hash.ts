/**
 * Step 1 of Diyalog's flow: the device hash. The SDK keeps one per device; a browser keeps
 * one in localStorage, created on first use. Storage may be missing or throw (private mode,
 * sandboxed iframes, quota): then the hash lives in memory for this page, which still keeps
 * the hash the site's server saw and the hash the relay presents identical.
 */
const KEY = 'confab.diyalog.deviceHash';
const VALID = /^[\w-]{8,128}$/;
let memory: string | undefined;

/** 40 hex digits, the form of the document's sample hash. */
function fresh(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(20)), (b) => b.toString(16).padStart(2, '0')).join('');
}

export function deviceHash(storage: () => Storage | null | undefined = () => globalThis.localStorage): string {
  let store: Storage | null | undefined;
  try {
    store = storage();
    const kept = store?.getItem(KEY);
    if (kept && VALID.test(kept)) return (memory = kept);
  } catch {
    store = null;
  }
  memory ??= fresh();
  try {
    store?.setItem(KEY, memory);
  } catch {
    // Not persisted: this page's memory copy is used.
  }
  return memory;
}
