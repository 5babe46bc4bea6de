/**
 * Each Playwright worker runs its own sandbox (every vendor simulator + the demo origin)
 * on ephemeral loopback ports; it stops when the worker ends.
 */
import { test as base, expect, type Locator, type Page } from '@playwright/test';
import { startSandbox, type Sandbox, type SandboxVendor } from '../src/server/sandbox/main';
import type { ReceivedFrame } from '../src/server/sandbox/types';
import { en, type Messages } from '../src/core/i18n-en-all';
import ar from '../src/core/locales/ar';
import de from '../src/core/locales/de';
import fr from '../src/core/locales/fr';
import nl from '../src/core/locales/nl';
import tr from '../src/core/locales/tr';
import ur from '../src/core/locales/ur';
import zh from '../src/core/locales/zh';

const LOCALES: Record<string, Messages> = { en, ar, de, fr, nl, tr, ur, zh };

/** The scripted agent's speed in tests: fast, but each step still a separate frame. */
const FAST = 0.15;

export const test = base.extend<{ widget: Widget }, { sandbox: Sandbox }>({
  sandbox: [
    async ({}, use) => {
      const sandbox = await startSandbox({ delayScale: FAST, staticDir: process.env.CONFAB_DIST });
      await use(sandbox);
      await sandbox.close();
    },
    { scope: 'worker' },
  ],
  widget: async ({ page, sandbox }, use) => {
    sandbox.setAvailable(true);
    sandbox.tune({ delayScale: FAST, queueFrom: 2 });
    await use(new Widget(page, sandbox));
  },
});
export { expect };

/** The widget as a visitor meets it: through the demo page's real script tag. */
export class Widget {
  /** How much each simulator had received before this test: tests share a worker's sandbox. */
  private readonly before = new Map<SandboxVendor, number>();

  constructor(
    readonly page: Page,
    readonly sandbox: Sandbox,
  ) {
    for (const [vendor, v] of Object.entries(sandbox.vendors)) this.before.set(vendor as SandboxVendor, v.received.length);
  }

  async load(vendor: SandboxVendor, extra: Record<string, string> = {}): Promise<void> {
    const query = new URLSearchParams({ vendor });
    for (const [k, v] of Object.entries(extra)) query.set(`data-${k}`, v);
    await this.page.goto(`${this.sandbox.url}/?${query}`);
    // The loader paints the launcher in English; the app, loaded on idle, may already have
    // translated it by now, so either name is the launcher.
    const names = [en, LOCALES[extra.locale ?? 'en'] ?? en].flatMap((m) => [m['launcher.open'], m['launcher.close']]);
    const launcher = this.root.getByRole('button', { name: new RegExp(`^(${names.map(escapeRegExp).join('|')})`) });
    await expect(launcher).toBeVisible();
  }

  get root(): Locator {
    return this.page.locator('confab-chat');
  }
  get launcher(): Locator {
    return this.page.getByRole('button', { name: /^(Open|Close) chat/ });
  }
  get dialog(): Locator {
    return this.root.getByRole('dialog');
  }
  get log(): Locator {
    return this.root.getByRole('log');
  }
  get message(): Locator {
    return this.root.getByRole('textbox', { name: 'Message' });
  }

  async say(text: string): Promise<void> {
    await this.message.fill(text);
    await this.message.press('Enter');
  }

  /** "End chat" and its confirmation ("End this chat?" → "End chat"). */
  async endChat(): Promise<void> {
    await this.dialog.getByRole('button', { name: 'End chat', expanded: false }).click();
    await this.dialog.getByRole('group', { name: 'End this chat?' }).getByRole('button', { name: 'End chat' }).click();
  }

  /** What the vendor's simulator received during this test, newest last. */
  received(vendor: SandboxVendor): ReceivedFrame[] {
    return (this.sandbox.vendors[vendor]?.received ?? []).slice(this.before.get(vendor) ?? 0);
  }

  async waitForFrame(vendor: SandboxVendor, name: string | RegExp): Promise<ReceivedFrame> {
    let found: ReceivedFrame | undefined;
    await expect
      .poll(() => (found = this.received(vendor).find((f) => (typeof name === 'string' ? f.name === name : name.test(f.name)))), {
        message: `${vendor} simulator should receive ${String(name)}`,
      })
      .toBeTruthy();
    return found as ReceivedFrame;
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
