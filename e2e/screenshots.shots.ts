/**
 * Reference pictures of the widget's looks, checked in under e2e/snapshots/ for review. Not a
 * test (pixels differ between machines' fonts and anti-aliasing, so nothing here can fail on a
 * look): `npm run screenshots` regenerates them (playwright.screenshots.config.ts); look at
 * each one before committing. What the looks must be is tested in e2e/styles.spec.ts.
 */
import { expect, test, type Widget } from './fixtures';
import { SANDBOX_PNG } from '../src/server/sandbox/agent';

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

// Issue 25 items 9, 13 and 14 (uxb): grouped lines with a date separator, a refused file, the
// image viewer, the launcher's preview card.
test.describe('screenshots of the visitor UX (b) states', () => {
  test.use({ viewport: { width: 800, height: 720 } });

  test('grouped lines with a date separator, and a refused file', async ({ widget, sandbox, page }) => {
    sandbox.tune({ delayScale: 0.05, queueFrom: 2 });
    await page.clock.setSystemTime(new Date('2026-03-01T10:00:00'));
    await widget.load('whoson', { title: 'Acme Support' });
    await widget.launcher.click();
    await chat(widget, 'Thomas', 'Please enter your name:', 'Start chat');
    await page.clock.setSystemTime(new Date('2026-03-02T09:00:00'));
    await widget.say('Could you please help me with product installation');
    await expect(widget.log.getByText(/Let me check that for you/)).toBeVisible();
    await widget.root.getByTestId('file-input').setInputFiles({ name: 'big.txt', mimeType: 'text/plain', buffer: Buffer.alloc(5 * 1024 * 1024 + 10, 97) });
    await expect(widget.log.locator('.confab-msg.confab-failed')).toBeVisible();
    await shoot(widget, 'grouped-and-refused-file');
  });

  test('image viewer', async ({ widget, sandbox }) => {
    sandbox.tune({ delayScale: 0.05, queueFrom: 2 });
    await widget.load('omnidesk', { title: 'Acme Support' });
    await widget.launcher.click();
    await widget.dialog.getByLabel('Your name').fill('Olga');
    await widget.dialog.getByRole('button', { name: 'Start chat' }).click();
    await expect(widget.log.getByText(/How can I help you today/)).toBeVisible();
    await widget.say('please attach the invoice');
    await widget.log.locator('.confab-preview').getByRole('link').click();
    await expect(widget.root.getByRole('dialog', { name: 'invoice.png' })).toBeVisible();
    await shoot(widget, 'image-viewer');
  });

  test('launcher preview card', async ({ widget, sandbox, page }) => {
    sandbox.tune({ delayScale: 0.05, queueFrom: 2 });
    await widget.load('whoson', { title: 'Acme Support' });
    await widget.launcher.click();
    await chat(widget, 'Thomas', 'Please enter your name:', 'Start chat');
    await widget.dialog.getByRole('button', { name: 'Minimise chat' }).click();
    await page.evaluate(() => (window as unknown as { Confab: (...x: unknown[]) => unknown }).Confab('send', 'are you still there?'));
    await expect(widget.root.locator('.preview')).toBeVisible();
    await shoot(widget, 'launcher-preview');
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

// Issue 25 items 2, 12, 14 (ux25): first screens, Tencent with nobody at the desk, the preview card in iframe mode.
test.describe('screenshots of the first screens', () => {
  test.use({ viewport: { width: 800, height: 720 } });

  test('first screens: Tencent and Diyalog welcome, WhosOn online with a reply-time hint, WhosOn nobody there', async ({ widget, sandbox }) => {
    await widget.load('tencent', { title: 'Acme Support' });
    await widget.launcher.click();
    await expect(widget.dialog.getByRole('button', { name: 'Start chat' })).toBeVisible();
    await shoot(widget, 'first-screen-tencent');
    await widget.load('diyalog', { title: 'Acme Bank', greeting: 'Welcome to Acme Bank online help.', 'customer-name': 'Ayşe Yılmaz' });
    await widget.launcher.click();
    await expect(widget.dialog.getByRole('button', { name: 'Start chat' })).toBeVisible();
    await shoot(widget, 'first-screen-diyalog');
    await widget.page.evaluate(() => sessionStorage.clear());
    await widget.load('whoson', { title: 'Acme Support', 'reply-time': 'We usually reply within 5 minutes' });
    await widget.launcher.click();
    await expect(widget.dialog.getByText('We\u2019re online')).toBeVisible();
    await shoot(widget, 'first-screen-whoson-online');
    sandbox.setAvailable(false);
    await widget.page.evaluate(() => (sessionStorage.clear(), localStorage.clear()));
    await widget.load('whoson', { title: 'Acme Support' });
    await widget.launcher.click();
    await expect(widget.dialog.locator('#confab-offline-reason')).toBeVisible();
    await shoot(widget, 'first-screen-whoson-nobody');
  });

  test('Tencent with nobody at the desk: the offline next step', async ({ widget, sandbox }) => {
    sandbox.setAvailable(false);
    await widget.load('tencent', { title: 'Acme Support', 'offline-url': 'https://shop.example/contact' });
    await widget.launcher.click();
    await widget.dialog.getByRole('button', { name: 'Start chat' }).click();
    await widget.log.getByRole('group', { name: 'How can we help?' }).getByRole('button', { name: 'Talk to a human' }).click();
    await expect(widget.dialog.getByRole('link', { name: 'Contact us another way' })).toBeVisible();
    await shoot(widget, 'offline-tencent');
  });

  test('launcher preview card in iframe mode', async ({ widget, sandbox, page }) => {
    sandbox.tune({ delayScale: 0.05, queueFrom: 2 });
    await widget.load('whoson', { title: 'Acme Support', mode: 'iframe' });
    await widget.launcher.click();
    const frame = page.frameLocator('confab-chat >> iframe');
    await frame.getByLabel('Please enter your name:').fill('Iris');
    await frame.getByRole('button', { name: 'Start chat' }).click();
    await expect(frame.getByRole('log').getByText(/How can I help you today/)).toBeVisible();
    await page.evaluate(() => (window as unknown as { Confab: (...x: unknown[]) => unknown }).Confab('close'));
    await page.evaluate(() => (window as unknown as { Confab: (...x: unknown[]) => unknown }).Confab('send', 'are you still there?'));
    await expect(widget.root.locator('.preview')).toBeVisible();
    await shoot(widget, 'launcher-preview-iframe');
  });
});
