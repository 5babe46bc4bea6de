/**
 * A hostile host page: global `* { all: unset }`, `!important` button rules, patched
 * Array.prototype, JSON.stringify and fetch, a polluted Object.prototype key and an element
 * with id "confab". Every vendor's journey must still work; the widget adds one global
 * (`Confab`) and only the window/document listeners README lists.
 */
import type { SandboxVendor } from '../src/server/sandbox/main';
import { expect, test } from './fixtures';
import { START_CHAT, START_OPTIONS } from './journeys';

/** Runs before any page script: the hostile part, plus a recorder of listeners and globals. */
function hostile(): void {
  const w = window as unknown as Record<string, unknown>;
  w.__globalsBefore = Object.keys(window);
  const listeners: string[] = [];
  w.__listeners = listeners;
  const add = EventTarget.prototype.addEventListener;
  EventTarget.prototype.addEventListener = function (this: EventTarget, type: string, ...rest: unknown[]) {
    if (this === window || this === document || this === window.visualViewport) {
      // Only the widget's own: the stack names one of its files.
      const stack = new Error().stack ?? '';
      if (/\/(confab\.js|assets\/)/.test(stack)) listeners.push(`${this === window ? 'window' : this === document ? 'document' : 'visualViewport'}:${type}`);
    }
    return (add as (...a: unknown[]) => void).call(this, type, ...rest);
  } as typeof EventTarget.prototype.addEventListener;

  // The hostile page proper.
  // Prototype.js-style: an enumerable method on every array (breaks for-in over arrays).
  (Array.prototype as unknown as Record<string, unknown>).each = function each() {
    return this;
  };
  (Object.prototype as Record<string, unknown>).polluted = 'yes';
  const stringify = JSON.stringify;
  JSON.stringify = ((v: unknown, r?: never, s?: never) => stringify(v, r, s)) as typeof JSON.stringify;
  const realFetch = window.fetch;
  window.fetch = ((input: RequestInfo | URL, init?: RequestInit) => realFetch(input, init)) as typeof fetch;
  document.addEventListener('DOMContentLoaded', () => {
    const style = document.createElement('style');
    style.textContent = '* { all: unset !important; } button { display: none !important; color: red !important; background: lime !important; } div { position: static !important; }';
    document.head.append(style);
    const trap = document.createElement('div');
    trap.id = 'confab';
    trap.textContent = 'the host page’s own #confab';
    document.body.prepend(trap);
  });
}

/** README "Listeners the widget adds" lists each of these; the vendor's own libraries add the rest. */
const DOCUMENTED = ['document:DOMContentLoaded', 'document:visibilitychange', 'window:load', 'window:message', 'window:online', 'window:pagehide', 'visualViewport:resize'];
const DOCUMENTED_FOR: Partial<Record<SandboxVendor, string[]>> = {
  // engine.io (socket.io-client, in the ExpertFlow chunk only) closes its socket when the browser goes offline.
  expertflow: ['window:offline'],
  'expertflow-cx': ['window:offline'],
};

test.describe('a hostile host page', () => {
  test.describe.configure({ mode: 'parallel' });
  for (const vendor of Object.keys(START_CHAT) as SandboxVendor[]) {
    test(`${vendor}: does not break the widget, which adds one global and documented listeners only`, async ({ widget, page, sandbox }) => {
      test.setTimeout(40_000);
      sandbox.tune({ delayScale: 0.1, queueFrom: 1 });
      await page.addInitScript(hostile);
      // What broke, named in the log when a journey step times out.
      page.on('console', (m) => void (m.type() === 'error' && console.log(`[${vendor}] ${m.text().slice(0, 400)}`)));
      await widget.load(vendor, START_OPTIONS[vendor]);
      await widget.launcher.click();
      await expect(widget.dialog).toBeVisible();
      await START_CHAT[vendor](widget);
      await expect(widget.log.getByText(/Alex Morgan joined/).first()).toBeVisible({ timeout: 20_000 });
      await widget.say('Could you please help me');
      await expect(widget.log.getByText(/Let me check that for you/)).toBeVisible();
      await widget.say('send me a link');
      await expect(widget.log.getByText(/installation guide/).first()).toBeVisible();
      if (vendor === 'whoson') {
        await expect(widget.log.getByRole('link', { name: 'here' })).toBeVisible();
        expect((await widget.waitForFrame('whoson', /^message$/i)).payload).toBeTruthy();
      }

      // The launcher keeps its own look: the page's !important rules stop at the shadow root.
      const look = await widget.launcher.evaluate((b) => ({ display: getComputedStyle(b).display, radius: getComputedStyle(b).borderRadius }));
      expect(look).toEqual({ display: 'grid', radius: '50%' });
      await expect(page.locator('#confab')).toHaveText('the host page’s own #confab');

      const { added, listeners } = await page.evaluate(() => {
        const w = window as unknown as { __globalsBefore: string[]; __listeners: string[] };
        const before = new Set(w.__globalsBefore);
        return {
          added: Object.keys(window).filter((k) => !before.has(k) && !k.startsWith('__')),
          listeners: [...new Set(w.__listeners)].sort(),
        };
      });
      expect(added).toEqual(['Confab']);
      const allowed = [...DOCUMENTED, ...(DOCUMENTED_FOR[vendor] ?? [])];
      expect(listeners.filter((l) => !allowed.includes(l))).toEqual([]);
      console.log(`isolation ${vendor}: listeners ${JSON.stringify(listeners)}`);
    });
  }
});
