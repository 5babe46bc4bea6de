// @vitest-environment happy-dom
/**
 * Issue 27, the loader's side: when the page is idle the widget only warms the HTTP cache
 * (AppSource.warm); the app chunk is imported and booted on intent (pointer, focus), on a
 * click, or when the page asks for `ready`. Never under Save-Data. The browser's own part
 * (that a prefetch compiles nothing) is e2e/preload.spec.ts.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { AppModule } from '../../src/embed/app-api';
import { startWidget, type AppSource } from '../../src/embed/widget';

const OPTIONS = { vendor: 'omnidesk', relay: 'wss://relay.example' };
type IdleWindow = { requestIdleCallback?: (cb: () => void) => void; Confab?: unknown };
const win = window as unknown as IdleWindow;
let log: string[];
let idle: (() => void)[];

function source(warm = true): AppSource {
  return {
    base: 'https://cdn.example/confab.js',
    app: async (): Promise<AppModule> => {
      log.push('import');
      return { boot: async () => (log.push('boot'), { call: (m) => log.push(`call:${m}`) }) };
    },
    frameHost: () => Promise.reject(new Error('not in this test')),
    ...(warm && { warm: () => log.push('warm') }),
  };
}
function start(src = source()) {
  const el = document.createElement('confab-chat');
  const call = startWidget(el, OPTIONS, src, false);
  return { call, launcher: el.shadowRoot?.querySelector('button') as HTMLButtonElement };
}
/** Lets the import and the boot's promises settle. */
const settle = () => new Promise((r) => setTimeout(r, 0));

beforeEach(() => {
  log = [];
  idle = [];
  // The idle callback runs when the test says the page is idle.
  win.requestIdleCallback = (cb) => idle.push(cb);
});
afterEach(() => {
  delete win.requestIdleCallback;
  delete win.Confab;
  delete (navigator as { connection?: unknown }).connection;
  document.body.innerHTML = '';
});

it('at idle it only warms the cache; the pointer on the launcher imports and boots the app', async () => {
  const { launcher } = start();
  expect(document.readyState).toBe('complete');
  for (const cb of idle.splice(0)) cb();
  await settle();
  expect(log).toEqual(['warm']);
  launcher.dispatchEvent(new Event('pointerenter'));
  await settle();
  expect(log).toEqual(['warm', 'import', 'boot']);
});

it('keyboard focus is intent; a click before the app is there opens the window once it has booted', async () => {
  const { launcher } = start();
  launcher.dispatchEvent(new Event('focus'));
  launcher.click();
  await settle();
  expect(log).toEqual(['import', 'boot', 'call:toggle']);
  // Intent came first: the idle warm-up has nothing left to do.
  for (const cb of idle.splice(0)) cb();
  expect(log).not.toContain('warm');
});

it("a page that asks for ready gets the app loaded for it, without intent", async () => {
  const { call } = start();
  const ready = call?.('ready');
  await settle();
  expect(log).toEqual(['import', 'boot']);
  expect(ready).toBeInstanceOf(Promise);
});

it("a chat going on from an earlier page loads the app without intent, in a task after the launcher's own", async () => {
  sessionStorage.setItem('confab:omnidesk:wss://relay.example:session', '{}');
  try {
    start();
    // The launcher's task reads no storage (its first read waits on the browser process): nothing loads in it.
    expect(log).toEqual([]);
    await settle();
    await settle();
    expect(log).toEqual(['import', 'boot']);
  } finally {
    sessionStorage.clear();
  }
});

it('under Save-Data nothing is warmed at idle, and the npm entry (no warm) imports nothing either', async () => {
  Object.defineProperty(navigator, 'connection', { configurable: true, value: { saveData: true } });
  start();
  expect(idle).toEqual([]);
  delete (navigator as { connection?: unknown }).connection;
  start(source(false));
  for (const cb of idle.splice(0)) cb();
  await settle();
  expect(log).toEqual([]);
});
