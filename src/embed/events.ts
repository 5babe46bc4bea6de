/** Public events as window CustomEvents (`confab:message`, …), for tag managers. */
export function dispatchPublic(widget: string, name: string, detail: unknown): void {
  dispatchEvent(new CustomEvent(`confab:${name}`, { detail: { widget, ...(detail as object) } }));
}

/**
 * `Confab('on', 'ready', fn)`. Ready means the widget's app has loaded, which it has by the time
 * this runs: a listener added before (queued by the loader) or after hears it once, a moment
 * later, as a `ready()` promise made at any time resolves. Only the window's `confab:ready`
 * CustomEvent is a one-off at the moment of loading, as DOM events are. Returns the unsubscribe.
 */
export function onReady(fn: (detail: unknown) => void): () => void {
  let live = true;
  queueMicrotask(() => {
    if (live) fn({});
    live = false;
  });
  return () => void (live = false);
}
