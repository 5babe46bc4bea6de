/**
 * The demo page under a strict Content-Security-Policy (no 'unsafe-inline', no 'unsafe-eval',
 * connect-src limited to the vendor): a full chat per vendor with zero violations.
 */
import { test as base, expect } from '@playwright/test';
import { startSandbox, type Sandbox, type SandboxVendor } from '../src/server/sandbox/main';
import { Widget } from './fixtures';
import { START_CHAT as JOURNEYS, START_OPTIONS } from './journeys';

/** The origins a vendor's widget talks to: every loopback URL among its data-* attributes. */
function vendorOrigins(sandbox: Sandbox, vendor: SandboxVendor): string[] {
  const out = new Set<string>();
  for (const value of Object.values(sandbox.vendors[vendor]?.attributes ?? {})) {
    try {
      const u = new URL(value);
      if (u.hostname !== '127.0.0.1') continue;
      out.add(`${u.protocol}//${u.host}`);
      // A ws:// endpoint's http(s) twin (socket.io polling, REST) and the other way round.
      const twin = u.protocol.startsWith('ws') ? u.protocol.replace('ws', 'http') : u.protocol.replace('http', 'ws');
      out.add(`${twin}//${u.host}`);
    } catch {
      // not a URL
    }
  }
  return [...out];
}

const policy = (sandbox: Sandbox, vendor: SandboxVendor): string => {
  const vendorSrc = vendorOrigins(sandbox, vendor).join(' ');
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    // Omnidesk's agent pictures come from the vendor's own host, not the relay: in the
    // sandbox that is the simulator's loopback port, so images may come from any loopback port.
    `img-src 'self' data: blob: ${vendor === 'omnidesk' ? 'http://127.0.0.1:*' : vendorSrc}`,
    `connect-src 'self' ${vendorSrc}`,
    "frame-src 'self'",
    `media-src 'self' data: blob: ${vendorSrc}`,
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
};

// A sandbox of our own: the policy names the vendors' ports, known only once they run.
// The sandbox reads its `headers` object at every request, so a test sets the policy on it.
// (Adding the header with page.route instead would make Chromium treat the page as public
// and block its loopback sockets under Local Network Access.)
interface CspSandbox {
  sandbox: Sandbox;
  headers: Record<string, string>;
}
const test = base.extend<{ csp: CspSandbox & { widget: Widget } }, { cspSandbox: CspSandbox }>({
  cspSandbox: [
    async ({}, use) => {
      const headers: Record<string, string> = {};
      const sandbox = await startSandbox({ delayScale: 0.05, staticDir: process.env.CONFAB_DIST, headers });
      await use({ sandbox, headers });
      await sandbox.close();
    },
    { scope: 'worker' },
  ],
  csp: async ({ page, cspSandbox }, use) => {
    cspSandbox.sandbox.setAvailable(true);
    cspSandbox.sandbox.tune({ delayScale: 0.05, queueFrom: 1 });
    await use({ ...cspSandbox, widget: new Widget(page, cspSandbox.sandbox) });
  },
});

test.describe('a strict Content-Security-Policy', () => {
  test.describe.configure({ mode: 'parallel' });
  for (const vendor of Object.keys(JOURNEYS) as SandboxVendor[]) {
    test(`${vendor}: a full chat with zero CSP violations`, async ({ csp: { sandbox, headers, widget }, page }) => {
      test.setTimeout(40_000);
      headers['content-security-policy'] = policy(sandbox, vendor);
      await page.addInitScript(() => {
        const w = window as unknown as { __csp: string[] };
        w.__csp = [];
        document.addEventListener('securitypolicyviolation', (e) =>
          w.__csp.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`),
        );
      });
      const consoleViolations: string[] = [];
      page.on('console', (m) => {
        if (process.env.S2_DEBUG) console.log('console:', m.text().slice(0, 300));
        if (/Content Security Policy|Refused to/i.test(m.text())) consoleViolations.push(m.text());
      });

      await widget.load(vendor, START_OPTIONS[vendor]);
      await widget.launcher.click();
      await expect(widget.dialog).toBeVisible();
      try {
        await JOURNEYS[vendor](widget);
        await expect(widget.log.getByText(/Alex Morgan joined/).first()).toBeVisible({ timeout: 20_000 });
      } catch (err) {
        // Name the violation rather than a missing button.
        expect(await page.evaluate(() => (window as unknown as { __csp: string[] }).__csp)).toEqual([]);
        expect(consoleViolations).toEqual([]);
        throw err;
      }
      await widget.say('hello there');
      await expect(widget.log.getByText(/Let me check that for you/)).toBeVisible();
      await widget.say('send me a link');
      await expect(widget.log.getByText(/installation guide/)).toBeVisible();
      // The launcher is styled under style-src 'self' (a constructed sheet, not inline CSS).
      const launcher = await widget.launcher.evaluate((b) => getComputedStyle(b).borderRadius);
      expect(launcher).toBe('50%');
      const violations = await page.evaluate(() => (window as unknown as { __csp: string[] }).__csp);
      expect(violations).toEqual([]);
      expect(consoleViolations).toEqual([]);
    });
  }

  test('data-nonce: the launcher CSS goes in a <style> carrying the nonce', async ({ csp: { sandbox, headers, widget } }) => {
    headers['content-security-policy'] = policy(sandbox, 'whoson').replace("style-src 'self'", "style-src 'self' 'nonce-r4nd0m'");
    await widget.load('whoson', { nonce: 'r4nd0m' });
    const style = await widget.root.evaluate((el) => {
      const s = el.shadowRoot?.querySelector('style');
      return s ? { nonce: s.nonce, sheets: el.shadowRoot?.adoptedStyleSheets.length ?? 0 } : null;
    });
    expect(style?.nonce).toBe('r4nd0m');
    expect(await widget.launcher.evaluate((b) => getComputedStyle(b).borderRadius)).toBe('50%');
  });
});
