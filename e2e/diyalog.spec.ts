/**
 * Diyalog online help in real Chromium, through the demo page's script tag: the browser gets a
 * transactionHash from the site's server (which calls Diyalog's signed REST API), the relay's
 * Diyalog adapter creates the queue interaction (D4) and then calls startAnonymousOnlineHelp on
 * the simulator, a representative picks up only the queued chat, and the visitor sees the
 * document's states as the wait screen, the conversation and its end.
 */
import type { Page } from '@playwright/test';
import {
  DOCUMENT_SAMPLE_DEVICE_HASH,
  DOCUMENT_SAMPLE_HASH,
  FORGED_TRANSACTION_PATH,
  TRANSACTION_PATH,
} from '../src/server/sandbox/diyalog-stack';
import type { ReceivedFrame } from '../src/server/sandbox/types';
import { expect, test, type Widget } from './fixtures';

/** The sandbox is shared by a worker's tests: only frames from this test count. */
function framesSince(widget: Widget): () => ReceivedFrame[] {
  const from = widget.received('diyalog').length;
  return () => widget.received('diyalog').slice(from);
}

async function waitFor(frames: () => ReceivedFrame[], name: string): Promise<ReceivedFrame> {
  let found: ReceivedFrame | undefined;
  await expect.poll(() => (found = frames().find((f) => f.name === name)), { message: `diyalog simulator should receive ${name}` }).toBeTruthy();
  return found as ReceivedFrame;
}

const confab = (page: Page, ...args: unknown[]) =>
  page.evaluate((a) => (window as unknown as { Confab: (...x: unknown[]) => void }).Confab(...a), args);

test.describe('Diyalog, through the real script tag and the relay', () => {
  test('queued → wait screen with the wait text → Cancel: closeMessaging, and the interaction is DELETEd', async ({ widget, sandbox }) => {
    // Slow enough that nobody joins before the visitor cancels.
    sandbox.tune({ delayScale: 1, queueFrom: 8 });
    const frames = framesSince(widget);
    const waitText = sandbox.vendors.diyalog?.attributes.waitText ?? '';
    expect(waitText).not.toBe('');
    await widget.load('diyalog');
    await widget.launcher.click();
    await widget.dialog.getByRole('button', { name: 'Start chat' }).click();

    await expect(widget.dialog.getByText(waitText)).toBeVisible();
    const start = await waitFor(frames, 'startAnonymousOnlineHelp');
    expect(start.payload).toMatchObject({ isBackground: true, waitDisplayText: waitText, customerId: '123458' });

    const created = await waitFor(frames, 'CreateInteraction');
    expect(created.payload).toMatchObject({ customerId: '123458', attachedData: { channel: 'web', helpType: 'chat' } });

    await widget.dialog.getByRole('button', { name: 'Cancel' }).click();
    await waitFor(frames, 'closeMessaging');
    await waitFor(frames, 'DeleteInteraction');
    await expect(widget.log.getByText('You ended the chat')).toBeVisible();
    await expect(widget.dialog.getByRole('button', { name: 'Start a new chat' })).toBeVisible();
    await expect(widget.dialog.getByRole('button', { name: 'Cancel' })).toHaveCount(0);
    // Signed hash, queued before started, withdrawn on cancel; nobody joins, nothing after it.
    expect(frames().map((f) => f.name)).toEqual([
      'gettransactionhashforonlinehelp',
      'CreateInteraction',
      'startAnonymousOnlineHelp',
      'closeMessaging',
      'DeleteInteraction',
    ]);
  });

  test('queued → picked up → messages both ways → the representative ends it', async ({ widget }) => {
    const frames = framesSince(widget);
    await widget.load('diyalog', { 'customer-name': 'Ayşe Yılmaz' });
    await widget.launcher.click();
    await widget.dialog.getByRole('button', { name: 'Start chat' }).click();

    // CHAT_INPROGRESS: the representative joins and greets the customer by name.
    await expect(widget.log.getByText('Alex Morgan joined the chat')).toBeVisible();
    await expect(widget.log.getByText('Hello Ayşe Yılmaz, my name is Alex. How can I help you today?')).toBeVisible();
    await expect(widget.dialog.getByRole('button', { name: 'Cancel' })).toHaveCount(0);

    await widget.say('My card payment failed twice');
    await expect(widget.log.getByText('My card payment failed twice')).toBeVisible();
    await expect(widget.log.getByText(/"My card payment failed twice"\. Let me check that for you/)).toBeVisible();

    // CHAT_ENDED without an error, after the conversation had started: ended by the representative.
    await widget.say('bye');
    await expect(widget.log.getByText('Thank you for chatting with us. Goodbye!')).toBeVisible();
    await expect(widget.log.getByText('Alex Morgan ended the chat')).toBeVisible();
    await expect(widget.dialog.getByRole('button', { name: 'Start a new chat' })).toBeVisible();
    await expect(widget.message).toHaveCount(0);

    const sent = frames().filter((f) => f.name === 'sendMessage').map((f) => (f.payload as { text: string }).text);
    expect(sent).toEqual(['My card payment failed twice', 'bye']);
    expect(frames().some((f) => f.name === 'closeMessaging')).toBe(false);
    // The signed REST call, then the queue, then the start; the representative took the
    // interaction, so nothing was withdrawn.
    expect(frames().map((f) => f.name).slice(0, 3)).toEqual(['gettransactionhashforonlinehelp', 'CreateInteraction', 'startAnonymousOnlineHelp']);
    expect(frames().some((f) => f.name === 'DeleteInteraction')).toBe(false);
  });

  test("a forged transactionHash is refused, and the visitor is told why", async ({ widget, sandbox }) => {
    const frames = framesSince(widget);
    const real = sandbox.vendors.diyalog?.attributes.transactionUrl ?? '';
    await widget.load('diyalog', { 'transaction-url': real.replace(TRANSACTION_PATH, FORGED_TRANSACTION_PATH) });
    await widget.launcher.click();
    await widget.dialog.getByRole('button', { name: 'Start chat' }).click();

    // Diyalog's DLGEXCP_AUTH_REQUEST, in the visitor's words.
    await expect(widget.dialog.getByRole('status').filter({ hasText: 'The security check for this chat failed. Please try again.' })).toBeVisible();
    await expect(widget.dialog.getByRole('button', { name: 'Retry' })).toBeVisible();
    // Back on the pre-chat step, not on a wait screen nobody will answer.
    await expect(widget.dialog.getByRole('button', { name: 'Start chat' })).toBeEnabled();
    await expect(widget.dialog.getByRole('button', { name: 'Cancel' })).toHaveCount(0);

    const start = await waitFor(frames, 'startAnonymousOnlineHelp');
    expect((start.payload as { transactionHash: string }).transactionHash).toBe(DOCUMENT_SAMPLE_HASH);
    // The simulator never issued that hash: the forged endpoint did not ask Diyalog. The
    // interaction queued for the failed start is withdrawn.
    expect(frames().some((f) => f.name === 'gettransactionhashforonlinehelp')).toBe(false);
    await waitFor(frames, 'DeleteInteraction');
  });

  test("identify() supplies the customer fields of Diyalog's start call", async ({ widget, page }) => {
    const frames = framesSince(widget);
    await widget.load('diyalog');
    await confab(page, 'identify', {
      customerId: '777001',
      customerName: 'Mehmet Demir',
      idNumber: '12345678901',
      customerPhone: '+90 (555) 123-45-67',
      email: 'mehmet@example.com',
      isLoggedIn: 'true',
    });
    await widget.launcher.click();
    await widget.dialog.getByRole('button', { name: 'Start chat' }).click();
    await expect(widget.log.getByText('Hello Mehmet Demir, my name is Alex. How can I help you today?')).toBeVisible();

    const device = await page.evaluate(() => localStorage.getItem('confab.diyalog.deviceHash'));
    expect(device).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    // Steps 1–4: identify's customer id wins over data-customer-id, with this browser's device hash.
    const issued = await waitFor(frames, 'gettransactionhashforonlinehelp');
    expect(issued.payload).toEqual({ customerId: '777001', deviceHash: device });
    // Step 5: every documented parameter of startAnonymousOnlineHelp.
    const start = await waitFor(frames, 'startAnonymousOnlineHelp');
    expect(start.payload).toEqual({
      customerId: '777001',
      customerName: 'Mehmet Demir',
      idNumber: 12345678901,
      customerPhone: 905551234567,
      email: 'mehmet@example.com',
      helpType: 'chat',
      transactionHash: expect.stringMatching(/^[0-9a-f]{40}$/),
      isLoggedIn: true,
      isBackground: true,
      waitDisplayText: 'Please wait. Our representative will start the chat soon.',
      deviceHash: device,
    });
    expect((start.payload as { transactionHash: string }).transactionHash).not.toBe(DOCUMENT_SAMPLE_HASH);

    await widget.endChat();
    await waitFor(frames, 'closeMessaging');
    await expect(widget.log.getByText('You ended the chat')).toBeVisible();
  });

  test('a visitor the site did not name is asked for a name, and the representative greets them by it', async ({ widget }) => {
    const frames = framesSince(widget);
    await widget.load('diyalog', { 'customer-name': '' });
    await widget.launcher.click();
    const name = widget.dialog.getByRole('textbox', { name: /Your name/ });
    await expect(name).toBeVisible();
    await widget.dialog.getByRole('button', { name: 'Start chat' }).click();
    // Required: nothing went to the site or to Diyalog without it.
    await expect(widget.dialog.getByText('This field is required')).toBeVisible();
    expect(frames()).toEqual([]);

    await name.fill('Zeynep Kaya');
    await widget.dialog.getByRole('button', { name: 'Start chat' }).click();
    await expect(widget.log.getByText('Hello Zeynep Kaya, my name is Alex. How can I help you today?')).toBeVisible();
    expect((await waitFor(frames, 'startAnonymousOnlineHelp')).payload).toMatchObject({ customerName: 'Zeynep Kaya' });
    await widget.endChat();
    await expect(widget.log.getByText('You ended the chat')).toBeVisible();
  });

  test('a name the site gives through identify() fills the name field in', async ({ widget, page }) => {
    const frames = framesSince(widget);
    await widget.load('diyalog', { 'customer-name': '' });
    await confab(page, 'identify', { customerName: 'Mehmet Demir' });
    await widget.launcher.click();
    await expect(widget.dialog.getByRole('textbox', { name: /Your name/ })).toHaveValue('Mehmet Demir');
    await widget.dialog.getByRole('button', { name: 'Start chat' }).click();
    expect((await waitFor(frames, 'startAnonymousOnlineHelp')).payload).toMatchObject({ customerName: 'Mehmet Demir' });
    await widget.endChat();
    await expect(widget.log.getByText('You ended the chat')).toBeVisible();
  });

  test("D1's sample device hash (standard base64 with + and =) is accepted end to end", async ({ widget, page }) => {
    const frames = framesSince(widget);
    await page.addInitScript((hash) => localStorage.setItem('confab.diyalog.deviceHash', hash), DOCUMENT_SAMPLE_DEVICE_HASH);
    await widget.load('diyalog');
    await widget.launcher.click();
    await widget.dialog.getByRole('button', { name: 'Start chat' }).click();
    await expect(widget.log.getByText(/How can I help you today\?/)).toBeVisible();
    expect((await waitFor(frames, 'gettransactionhashforonlinehelp')).payload).toEqual({ customerId: '123458', deviceHash: DOCUMENT_SAMPLE_DEVICE_HASH });
    expect((await waitFor(frames, 'startAnonymousOnlineHelp')).payload).toMatchObject({ deviceHash: DOCUMENT_SAMPLE_DEVICE_HASH });
    await widget.endChat();
    await expect(widget.log.getByText('You ended the chat')).toBeVisible();
  });

  test("when the site's endpoint fails, the visitor can Retry and the chat starts", async ({ widget, sandbox }) => {
    sandbox.tune({ delayScale: 1, queueFrom: 8 });
    const frames = framesSince(widget);
    const stack = sandbox.vendors.diyalog;
    expect(typeof stack?.failNextStart).toBe('function');
    stack?.failNextStart?.(503);
    await widget.load('diyalog');
    await widget.launcher.click();
    await widget.dialog.getByRole('button', { name: 'Start chat' }).click();

    await expect(widget.dialog.getByRole('status').filter({ hasText: 'The chat could not be started right now. Please try again.' })).toBeVisible();
    // The endpoint failed before Diyalog was asked for anything.
    expect(frames()).toEqual([]);

    await widget.dialog.getByRole('button', { name: 'Retry' }).click();
    await expect(widget.dialog.getByText('Please wait. Our representative will start the chat soon.')).toBeVisible();
    await expect(widget.dialog.getByRole('button', { name: 'Retry' })).toHaveCount(0);
    const start = await waitFor(frames, 'startAnonymousOnlineHelp');
    expect(start.payload).toMatchObject({ isBackground: true, transactionHash: expect.stringMatching(/^[0-9a-f]{40}$/) });
    await widget.dialog.getByRole('button', { name: 'Cancel' }).click();
    await waitFor(frames, 'closeMessaging');
  });
});
