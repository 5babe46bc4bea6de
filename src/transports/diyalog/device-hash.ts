/**
 * Step 1 of Diyalog's flow: the device hash. The SDK keeps one per device (getDeviceHash); its
 * documented sample, "fwCZgi6zl2DPuNck6H644eq6JfPZpXKCqa2ouP2JS+k=", is 32 bytes in standard
 * base64, so a browser mints the same form and keeps it in localStorage. Storage may be missing
 * or throw (private mode, sandboxed iframes, quota): then the hash lives in memory for this
 * page, which still keeps the hash the site's server saw and the hash the relay presents
 * identical. Where the relay's channel brings its own device hash (a real SDK), the transport
 * uses that one instead (see transport.ts).
 */
const KEY = 'confab.diyalog.deviceHash';
/**
 * Every place a device hash crosses (browser, site endpoint, relay) accepts this: base64 in
 * either alphabet, with padding, bounded.
 */
export const DEVICE_HASH_PATTERN = /^[A-Za-z0-9+/=_-]{8,128}$/;
let memory: string | undefined;

/** 32 random bytes in standard base64: the form of the documented sample. */
function fresh(): string {
  return btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32))));
}

export function deviceHash(storage: () => Storage | null | undefined = () => globalThis.localStorage): string {
  let store: Storage | null | undefined;
  try {
    store = storage();
    const kept = store?.getItem(KEY);
    if (kept && DEVICE_HASH_PATTERN.test(kept)) return (memory = kept);
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
