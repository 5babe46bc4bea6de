/**
 * Reference pictures of the widget's looks, checked in under e2e/snapshots/ for review (not
 * pixel-diffed: fonts and anti-aliasing differ between machines). Regenerate them with
 *   UPDATE_SNAPSHOTS=1 npx playwright test e2e/screenshots.spec.ts
 * and look at each one before committing.
 */
import { expect, test, type Widget } from './fixtures';
import { SANDBOX_PNG } from '../src/server/sandbox/agent';

test.skip(process.env.UPDATE_SNAPSHOTS !== '1', 'set UPDATE_SNAPSHOTS=1 to regenerate e2e/snapshots/*.png');

/** The demo site's logo (the WhosOn simulator's site image) as data-logo. */
const LOGO = `data:image/png;base64,${SANDBOX_PNG}`;

async function chat(widget: Widget, name: string, label: RegExp | string, start: string): Promise<void> {
  await widget.dialog.getByLabel(label).first().fill(name);
  await widget.dialog.getByRole('button', { name: start }).click();
  await expect(widget.log.getByText(new RegExp(name)).first()).toBeVisible();
}

async function shoot(widget: Widget, state: string): Promise<void> {
  await widget.page.screenshot({ path: `e2e/snapshots/${state}.png`, animations: 'disabled', caret: 'hide' });
}

test.describe('screenshots', () => {
  test.use({ viewport: { width: 800, height: 720 } });

  test('light, mid-chat', async ({ widget, sandbox }) => {
    sandbox.tune({ delayScale: 0.05, queueFrom: 2 });
    await widget.load('whoson', { title: 'Acme Support' });
    await widget.launcher.click();
    await chat(widget, 'Thomas', 'Please enter your name:', 'Start chat');
    await widget.say('send me a link');
    await expect(widget.log.getByRole('link', { name: 'here' })).toBeVisible();
    await shoot(widget, 'light');
  });

  test('dark (auto, following the system), with a brand colour', async ({ widget, sandbox, page }) => {
    sandbox.tune({ delayScale: 0.05, queueFrom: 2 });
    await page.emulateMedia({ colorScheme: 'dark' });
    await widget.load('whoson', { theme: 'auto', color: '#0a7d4f', title: 'Acme Support' });
    await widget.launcher.click();
    await chat(widget, 'Thomas', 'Please enter your name:', 'Start chat');
    await widget.say('Could you please help me with product installation');
    await expect(widget.log.getByText(/Let me check that for you/)).toBeVisible();
    await shoot(widget, 'dark');
  });

  test('RTL, Arabic', async ({ widget, sandbox }) => {
    sandbox.tune({ delayScale: 0.05, queueFrom: 2 });
    // Not widget.load(): once the app loads (on intent, the hover) the launcher's name is Arabic too.
    await widget.page.goto(`${widget.sandbox.url}/?${new URLSearchParams({ vendor: 'whoson', 'data-locale': 'ar', 'data-title': 'دعم أكمي' })}`);
    await widget.root.getByRole('button').hover();
    await widget.page.getByRole('button', { name: 'فتح المحادثة' }).click();
    await expect(widget.root.locator('.confab')).toHaveAttribute('dir', 'rtl');
    await chat(widget, 'ليلى', 'Please enter your name:', 'بدء المحادثة');
    const box = widget.root.getByRole('textbox', { name: 'الرسالة' });
    await box.fill('مرحبا، أحتاج إلى مساعدة');
    await box.press('Enter');
    await expect(widget.log.getByText(/مرحبا، أحتاج إلى مساعدة/).first()).toBeVisible();
    await shoot(widget, 'rtl-ar');
  });

  test('consent step', async ({ widget }) => {
    // data-logo shows from the start; WhosOn's own site image (sent after connecting) would replace it.
    await widget.load('whoson', { consent: 'required', 'privacy-url': 'https://shop.example/privacy', title: 'Acme Support', logo: LOGO, color: '#0a7d4f' });
    await widget.launcher.click();
    await expect(widget.dialog.getByRole('button', { name: 'Accept and continue' })).toBeVisible();
    await shoot(widget, 'consent');
  });
});

test.describe('screenshots on a phone', () => {
  test.use({ viewport: { width: 375, height: 667 }, hasTouch: true });

  test('mobile 375×667, full screen', async ({ widget, sandbox }) => {
    sandbox.tune({ delayScale: 0.05, queueFrom: 2 });
    await widget.load('whoson', { title: 'Acme Support' });
    await widget.launcher.click();
    await chat(widget, 'Thomas', 'Please enter your name:', 'Start chat');
    await widget.say('Could you please help me with product installation');
    await expect(widget.log.getByText(/Let me check that for you/)).toBeVisible();
    await shoot(widget, 'mobile');
  });
});

// Issue 25 items 1–8 (visitor UX): the new states.
test.describe('screenshots of the visitor-UX states', () => {
  test.use({ viewport: { width: 800, height: 720 } });

  test('"End this chat?", composer with emoji hint, survey stars, offline "try again later"', async ({ widget, sandbox }) => {
    sandbox.tune({ delayScale: 0.05, queueFrom: 2 });
    await widget.load('whoson', { title: 'Acme Support' });
    await widget.launcher.click();
    await chat(widget, 'Thomas', 'Please enter your name:', 'Start chat');
    await widget.message.fill('first line\nsecond line\nthird line');
    await widget.dialog.getByRole('button', { name: 'Emoji' }).click();
    await shoot(widget, 'composer-grown-emoji-hint');
    await widget.dialog.getByRole('button', { name: 'End chat', expanded: false }).click();
    await expect(widget.dialog.getByRole('group', { name: 'End this chat?' })).toBeVisible();
    await shoot(widget, 'end-chat-question');
    await widget.dialog.getByRole('group', { name: 'End this chat?' }).getByRole('button', { name: 'End chat' }).click();
    await widget.dialog.getByRole('radiogroup').first().locator('label').nth(3).click();
    await shoot(widget, 'survey-stars');
    sandbox.setAvailable(false);
    await widget.load('expertflow', { prechat: 'name', subjects: '' });
    await widget.launcher.click();
    await widget.dialog.getByLabel('Your name').fill('Kashif');
    await widget.dialog.getByRole('button', { name: 'Start chat' }).click();
    await expect(widget.dialog.getByText('Please try again later.')).toBeVisible();
    await shoot(widget, 'offline-try-later');
  });

  test('200 % zoom (640×400): full screen, long title clamped', async ({ widget, page }) => {
    await page.setViewportSize({ width: 640, height: 400 });
    await widget.load('whoson', { title: 'Acme Worldwide Customer Service and Support Centre for Orders, Returns and Deliveries' });
    await widget.launcher.click();
    await expect(widget.dialog.getByLabel('Please enter your name:')).toBeVisible();
    await shoot(widget, 'zoom-200');
  });
});
