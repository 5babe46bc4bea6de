// @vitest-environment happy-dom
/**
 * Several widgets on one page (README "JavaScript API"): `Confab('open')` speaks to every
 * widget, `Confab('sales:open')` to the one named "sales" — also for calls made before the
 * scripts loaded, and whichever order the async script tags arrive in.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { AppModule } from '../../src/embed/app-api';
import { startWidget, type AppSource } from '../../src/embed/widget';

type Stub = ((...a: unknown[]) => void) & { q?: IArguments[] };
const win = window as unknown as { Confab?: Stub };
let calls: string[];

/** A widget whose app records each call it gets as "<widget>:<method>". */
function source(label: string): AppSource {
  return {
    base: 'https://cdn.example/confab.js',
    app: async (): Promise<AppModule> => ({
      boot: () => ({
        call: (method, args) => {
          calls.push(`${label}:${method}${args.length ? `(${String(args[0])})` : ''}`);
          return method === 'on' ? () => undefined : undefined;
        },
      }),
    }),
    frameHost: () => Promise.reject(new Error('not in this test')),
  };
}

const OPTIONS = {
  support: { vendor: 'omnidesk', name: 'support', relay: 'wss://relay.example' },
  sales: { vendor: 'whoson', name: 'sales', server: 'wss://chat.example', domain: 'example.com', auth: 'a', apiKey: 'k' },
};
/** A script tag runs: its widget registers, and the visitor's pointer passing over its launcher loads its app. */
function start(name: keyof typeof OPTIONS): void {
  const el = document.createElement('confab-chat');
  startWidget(el, OPTIONS[name], source(name), false);
  el.shadowRoot?.querySelector('button')?.dispatchEvent(new Event('pointerenter'));
}
/** The next script tag runs in a later task; the app chunks load in between. */
const nextTask = () => new Promise((r) => setTimeout(r, 5));

beforeEach(() => {
  calls = [];
  // The README stub, as pasted before the script tags.
  const stub: Stub = function (this: unknown) {
    (stub.q = stub.q || []).push(arguments);
  };
  win.Confab = stub;
});
afterEach(() => {
  delete win.Confab;
  document.body.innerHTML = '';
});

it('replays calls queued before the scripts loaded to each widget as it registers: untargeted to every widget, targeted to its widget, each once', async () => {
  win.Confab?.('sales:open');
  win.Confab?.('on', 'message', 'listener');
  win.Confab?.('identify', 'Ann');
  win.Confab?.('support:send', 'hi support');
  start('support');
  await nextTask();
  start('sales');
  await nextTask();
  await nextTask();
  expect(calls.filter((c) => c.startsWith('support:'))).toEqual(['support:on(message)', 'support:identify(Ann)', 'support:send(hi support)']);
  expect(calls.filter((c) => c.startsWith('sales:'))).toEqual(['sales:open', 'sales:on(message)', 'sales:identify(Ann)']);
});

it('a targeted call made after one script loaded still reaches a widget whose script loads later', async () => {
  start('support');
  await nextTask();
  win.Confab?.('sales:open');
  win.Confab?.('open');
  start('sales');
  await nextTask();
  await nextTask();
  // An untargeted open made while a widget is there is for the widgets there (not sticky).
  expect(calls).toEqual(['support:open', 'sales:open']);
});

it('every loaded widget hears an untargeted call, also when the first one answers it', async () => {
  start('support');
  start('sales');
  win.Confab?.('open'); // both apps load on open
  await nextTask();
  await nextTask();
  calls = [];
  win.Confab?.('on', 'message', 'listener'); // the first app answers with a function
  win.Confab?.('sales:close');
  expect(calls).toEqual(['support:on(message)', 'sales:on(message)', 'sales:close']);
});

/** Mounts a widget (as an SPA does on a route) and loads its app; returns its own API. */
async function mount(name: keyof typeof OPTIONS) {
  const el = document.createElement('confab-chat');
  const chat = startWidget(el, OPTIONS[name], source(name), false);
  el.shadowRoot?.querySelector('button')?.dispatchEvent(new Event('pointerenter'));
  await nextTask();
  return chat;
}

it('a call queued before the scripts loaded acts once per widget: a widget mounted again (an SPA route) does not send it again, but hears the sticky calls', async () => {
  win.Confab?.('send', 'hello from the page');
  win.Confab?.('on', 'message', 'listener');
  const first = await mount('support');
  first?.('destroy');
  calls = [];
  await mount('support');
  expect(calls).toEqual(['support:on(message)']);
});

it('an off made after load cancels the queued on: a widget registering later gets neither', async () => {
  const listener = () => undefined;
  win.Confab?.('on', 'message', listener);
  await mount('support');
  win.Confab?.('off', 'message', listener); // the support widget hears it at once
  calls = [];
  await mount('sales');
  expect(calls).toEqual([]);
});

it('calls made while a widget is loaded are not kept for later widgets (a page listening and unlistening does not pile up)', async () => {
  await mount('support');
  for (let i = 0; i < 100; i++) {
    const off = win.Confab?.('on', 'message', () => undefined) as unknown as () => void;
    off();
    win.Confab?.('send', `line ${i}`);
  }
  calls = [];
  await mount('sales');
  expect(calls).toEqual([]);
});
