// @vitest-environment happy-dom
/**
 * Issue 22: `destroy` works at any moment — before the app has loaded, while it loads, under
 * Save-Data, after it has booted — and leaves nothing: no element, no dispatcher entry, no idle
 * callback or timer, no load listener. A framework's mount → destroy → mount (React StrictMode)
 * leaves exactly one launcher.
 */
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import type { AppHandle, AppModule } from '../../src/embed/app-api';
import { mount } from '../../src/embed/npm';
import { startWidget, type AppSource, type Dispatcher } from '../../src/embed/widget';

const OPTIONS = { vendor: 'omnidesk', relay: 'wss://relay.example' };
type IdleWindow = {
  requestIdleCallback?: (cb: () => void) => number;
  cancelIdleCallback?: (id: number) => void;
  Confab?: Dispatcher;
};
const win = window as unknown as IdleWindow;
let log: string[];
/** Pending idle callbacks by id: the test is the page's idle time. */
let idle: Map<number, () => void>;
let loadListeners: number;
const realAdd = window.addEventListener.bind(window);
const realRemove = window.removeEventListener.bind(window);

/** An app chunk that arrives when the test resolves it, and logs what its handle hears. */
function deferredSource() {
  let arrive!: () => void;
  const arrived = new Promise<void>((r) => (arrive = r));
  const src: AppSource = {
    base: 'https://cdn.example/confab.js',
    app: async (): Promise<AppModule> => {
      log.push('import');
      await arrived;
      return { boot: async (): Promise<AppHandle> => (log.push('boot'), { call: (m) => void log.push(`call:${m}`) }) };
    },
    frameHost: () => Promise.reject(new Error('not in this test')),
    warm: () => void log.push('warm'),
  };
  return { src, arrive };
}
const widgets = () => [...(win.Confab?.w ?? [])];
const launchers = () => document.querySelectorAll('confab-chat').length;
const settle = () => new Promise((r) => setTimeout(r, 0));

beforeEach(() => {
  log = [];
  idle = new Map();
  let next = 1;
  win.requestIdleCallback = (cb) => (idle.set(next, cb), next++);
  win.cancelIdleCallback = (id) => void idle.delete(id);
  // Count the window's load listeners (the idle preload waits for load when the page is loading).
  loadListeners = 0;
  window.addEventListener = ((type: string, ...rest: [never, never]) => {
    if (type === 'load') loadListeners++;
    return realAdd(type, ...rest);
  }) as typeof window.addEventListener;
  window.removeEventListener = ((type: string, ...rest: [never, never]) => {
    if (type === 'load') loadListeners--;
    return realRemove(type, ...rest);
  }) as typeof window.removeEventListener;
});
afterEach(() => {
  window.addEventListener = realAdd;
  window.removeEventListener = realRemove;
  delete win.requestIdleCallback;
  delete win.cancelIdleCallback;
  delete win.Confab;
  delete (navigator as { connection?: unknown }).connection;
  document.body.innerHTML = '';
});

it('before the app has loaded: no element, no dispatcher entry, no idle callback; the app never loads', async () => {
  const { src } = deferredSource();
  const call = startWidget(document.createElement('confab-chat'), OPTIONS, src, false);
  expect(launchers()).toBe(1);
  expect(widgets()).toHaveLength(1);
  expect(idle.size).toBe(1); // the idle preload is scheduled (the page has loaded)
  call?.('destroy');
  expect(launchers()).toBe(0);
  expect(widgets()).toHaveLength(0);
  expect(idle.size).toBe(0);
  await settle();
  expect(log).toEqual([]);
});

it('while the page is still loading: the load listener goes too', () => {
  const state = Object.getOwnPropertyDescriptor(Document.prototype, 'readyState');
  Object.defineProperty(document, 'readyState', { configurable: true, get: () => 'loading' });
  try {
    const call = startWidget(document.createElement('confab-chat'), OPTIONS, deferredSource().src, false);
    expect(loadListeners).toBe(1);
    call?.('destroy');
    expect(loadListeners).toBe(0);
  } finally {
    delete (document as { readyState?: unknown }).readyState;
    if (state) Object.defineProperty(Document.prototype, 'readyState', state);
  }
});

it('with no requestIdleCallback (Safari): the timer is cleared', () => {
  delete win.requestIdleCallback;
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
  try {
    const call = startWidget(document.createElement('confab-chat'), OPTIONS, deferredSource().src, false);
    expect(vi.getTimerCount()).toBe(2); // the preload's, and the look for a chat to resume (its own task)
    call?.('destroy');
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(60_000);
    expect(log).toEqual([]);
  } finally {
    vi.useRealTimers();
  }
});

it('with a chat to resume: destroyed in the task that started it, the app never loads', async () => {
  sessionStorage.setItem('confab:omnidesk:wss://relay.example:session', '{}');
  try {
    const { src, arrive } = deferredSource();
    const call = startWidget(document.createElement('confab-chat'), OPTIONS, src, false);
    call?.('destroy');
    arrive();
    await settle();
    await settle();
    expect(log).toEqual([]);
  } finally {
    sessionStorage.clear();
  }
});

it('under Save-Data (nothing preloads): destroy still removes the widget', () => {
  (navigator as { connection?: unknown }).connection = { saveData: true };
  const call = startWidget(document.createElement('confab-chat'), OPTIONS, deferredSource().src, false);
  expect(idle.size).toBe(0);
  call?.('destroy');
  expect([launchers(), widgets().length]).toEqual([0, 0]);
});

it('while the app chunk is on its way: the app that boots hears destroy first and nothing else', async () => {
  const { src, arrive } = deferredSource();
  const call = startWidget(document.createElement('confab-chat'), OPTIONS, src, false);
  call?.('open'); // loads the app and queues open
  call?.('destroy');
  call?.('send', 'too late');
  arrive();
  await settle();
  await settle();
  expect(log).toEqual(['import', 'boot', 'call:destroy', 'call:send']);
  expect([launchers(), widgets().length]).toEqual([0, 0]);
});

it('Confab("destroy") reaches every widget and leaves the dispatcher empty', () => {
  startWidget(document.createElement('confab-chat'), { ...OPTIONS, name: 'a' }, deferredSource().src, false);
  startWidget(document.createElement('confab-chat'), { ...OPTIONS, name: 'b' }, deferredSource().src, false);
  expect(widgets()).toHaveLength(2);
  win.Confab?.('destroy');
  expect([launchers(), widgets().length, idle.size]).toEqual([0, 0, 0]);
});

it('mount → destroy → mount (React StrictMode, Save-Data too) leaves exactly one launcher', () => {
  (navigator as { connection?: unknown }).connection = { saveData: true };
  const whoson = { vendor: 'whoson' as const, server: 'wss://chat.example.com', domain: 'example.com', auth: 'a', apiKey: 'k' };
  const first = mount(whoson);
  first?.('destroy');
  const second = mount(whoson);
  expect(launchers()).toBe(1);
  expect(widgets()).toHaveLength(1);
  second?.('destroy');
  expect([launchers(), widgets().length]).toEqual([0, 0]);
});
