// Injected before any page script (every frame): long-task blocking time, the time a
// launcher is painted, and an instrumented WebSocket so an incoming frame can be timed
// from its arrival to the frame that paints it. Times are epoch ms (timeOrigin + now).
// Also (issue 27): every long task and long animation frame with the scripts that ran in it
// (to attribute long tasks to a widget's own files), Event Timing entries (the host-page tap
// probe), and the layout shifts (CLS). Entry times there are performance.now() ms.
(() => {
  const now = () => performance.timeOrigin + performance.now();
  const B = (window.__bench = { tbt: 0, longTasks: 0, painted: null, frames: {}, tasks: [], loafs: [], events: [], cls: 0, shifts: 0 });
  const observe = (type, fn, extra) => {
    try {
      new PerformanceObserver((list) => list.getEntries().forEach(fn)).observe({ type, buffered: true, ...extra });
    } catch {}
  };
  observe('longtask', (e) => { B.longTasks++; B.tbt += Math.max(0, e.duration - 50); B.tasks.push({ start: e.startTime, duration: e.duration }); });
  observe('long-animation-frame', (e) => B.loafs.push({
    start: e.startTime, duration: e.duration, blocking: e.blockingDuration,
    scripts: e.scripts.map((s) => ({ url: s.sourceURL, invoker: s.invoker, type: s.invokerType, start: s.startTime, duration: s.duration })),
  }));
  // Every interaction's entries (16 ms is the lowest threshold the API allows).
  observe('event', (e) => { if (e.interactionId) B.events.push({ id: e.interactionId, name: e.name, start: e.startTime, duration: e.duration }); }, { durationThreshold: 16 });
  // Any shift at all, input or not: the launcher and its badge must never move the host page.
  observe('layout-shift', (e) => { B.cls += e.value; B.shifts++; });
  // After the next paint: a rAF runs before style/layout/paint, a message posted from it after.
  B.afterPaint = (cb) => requestAnimationFrame(() => { const ch = new MessageChannel(); ch.port1.onmessage = () => cb(now()); ch.port2.postMessage(0); });
  const visible = (el) => { if (!el) return false; const r = el.getBoundingClientRect(); return r.width > 0 && r.height > 0 && getComputedStyle(el).visibility !== 'hidden'; };
  const find = () => {
    const host = document.querySelector('confab-chat');
    if (host?.shadowRoot) return host.shadowRoot.querySelector('button.launcher');
    const rc = document.querySelector('[class*="screen__chat-button"]');
    if (rc) return rc;
    return document.querySelector('deep-chat')?.shadowRoot?.querySelector('#text-input') ?? null;
  };
  const watch = () => {
    if (B.painted) return;
    if (visible(find())) { B.seen = now(); return B.afterPaint((t) => (B.painted = t)); }
    requestAnimationFrame(watch);
  };
  requestAnimationFrame(watch);
  const WS = window.WebSocket;
  if (WS) {
    window.WebSocket = class extends WS {
      constructor(...a) {
        super(...a);
        this.addEventListener('message', (e) => {
          const m = typeof e.data === 'string' && /Probe (\d+)/.exec(e.data);
          if (m && /lineo/.test(e.data)) B.frames[m[1]] ??= now();
        });
      }
    };
  }
})();
// After a reload in the long-conversation run: when does the line that was last before the
// reload paint at the end of the restored log? (Only the newest lines are kept and rendered.)
(() => {
  let last = '';
  try { last = sessionStorage.getItem('bench:restore') ?? ''; } catch {}
  if (!last || window !== window.top) return;
  const B = window.__bench;
  const tick = () => {
    const rows = document.querySelector('confab-chat')?.shadowRoot?.querySelectorAll('[role=log] > .confab-row');
    // A reconnect may add a notice after it: look at the last few rows.
    if (rows && [...rows].slice(-3).some((r) => r.textContent.includes(last))) return B.afterPaint((t) => (B.restored = t));
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
})();
