/**
 * ExpertFlow CX through the real script tag, against the CX simulator: the pre-chat form from CX's
 * form definition, the chat request, the bot's buttons, the agent, messages and a file both ways,
 * a reload that resumes the chat (CHAT_RESUMED), and the end. The simulator reports no violation.
 */
import type { ReceivedFrame } from '../src/server/sandbox/types';
import { expect, test, type Widget } from './fixtures';

type Payload = Record<string, any>;
const payloads = (widget: Widget, name: string): Payload[] =>
  widget.received('expertflow-cx').filter((f: ReceivedFrame) => f.name === name).map((f) => f.payload as Payload);

test.describe('ExpertFlow CX, through the real script tag', () => {
  test('form, request, bot, agent, messages and files both ways, a reload that resumes, the end', async ({ widget, page, sandbox }) => {
    test.setTimeout(90_000);
    const cx = sandbox.vendors['expertflow-cx'];
    if (!cx?.violations) throw new Error('the sandbox has no ExpertFlow CX simulator');
    const violationsBefore = cx.violations.length;

    await widget.load('expertflow-cx');
    await widget.launcher.click();
    await expect(widget.dialog).toBeVisible();

    // The pre-chat form is CX's form definition: name and phone required, a topic to choose.
    await widget.dialog.getByRole('button', { name: 'Start chat' }).click();
    await expect(widget.dialog.getByLabel('Your name')).toHaveAttribute('aria-invalid', 'true');
    await expect(widget.dialog.getByLabel('Topic').locator('option')).toContainText(['Billing', 'Internet']);
    await widget.dialog.getByLabel('Your name').fill('Kashif');
    await widget.dialog.getByLabel('Phone number').fill('+1343122554');
    await widget.dialog.getByLabel('Topic').selectOption('Internet');
    await widget.dialog.getByRole('button', { name: 'Start chat' }).click();

    // The bot answers first with buttons; choosing one goes to a human agent.
    await expect(widget.log.getByText('Hi! I am the Expertflow assistant. How can I help you?')).toBeVisible();
    await widget.log.getByRole('button', { name: 'Talk to an agent' }).click();
    await expect(widget.log.getByText(/Alex Morgan joined/)).toBeVisible();
    await expect(widget.log.getByText('Hello Kashif, my name is Alex. How can I help you today?')).toBeVisible();

    // Messages both ways; the echo confirms the line, never shown twice.
    await widget.say('Is my internet down?');
    await expect(widget.log.getByText(/"Is my internet down\?"\. Let me check/)).toBeVisible();
    await expect(widget.log.getByText('Is my internet down?', { exact: true })).toHaveCount(1);

    // The visitor sends a file through CX's file server; the agent sends an image.
    const chooser = page.waitForEvent('filechooser');
    await widget.dialog.getByRole('button', { name: 'Attach file' }).click();
    await (await chooser).setFiles({ name: 'router_log.txt', mimeType: 'text/plain', buffer: Buffer.from('link down 12:04') });
    const ownFile = widget.log.getByRole('link', { name: 'router_log.txt' });
    await expect(ownFile).toBeVisible();
    expect(await (await page.request.get((await ownFile.getAttribute('href')) ?? '')).text()).toBe('link down 12:04');
    await widget.say('please attach the invoice');
    const image = widget.log.getByRole('img', { name: 'invoice.png' });
    await expect(image).toBeVisible();
    await expect.poll(() => image.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(28);

    // A reload resumes the chat: the history comes back, the chat goes on, no second request.
    await page.reload();
    await expect(widget.dialog).toBeVisible();
    await expect(widget.log.getByText('Hello Kashif, my name is Alex. How can I help you today?')).toBeVisible();
    await expect(widget.log.getByText('Is my internet down?', { exact: true })).toHaveCount(1);
    await widget.say('Still there after the reload?');
    await expect(widget.log.getByText(/"Still there after the reload\?"\. Let me check/)).toBeVisible();
    await expect.poll(() => payloads(widget, 'CHAT_RESUMED').length).toBeGreaterThanOrEqual(1);
    expect(payloads(widget, 'CHAT_REQUESTED')).toHaveLength(1);

    // The visitor ends the chat.
    await widget.endChat();
    await expect(widget.log.getByText('You ended the chat')).toBeVisible();
    await expect(widget.dialog.getByRole('button', { name: 'Start a new chat' })).toBeVisible();
    await expect.poll(() => payloads(widget, 'CHAT_ENDED')).toEqual([expect.objectContaining({ channelCustomerIdentifier: '+1343122554', serviceIdentifier: '5155' })]);

    // What CX received: the SDK's request, lines with the customer's identity, the file as FILE.
    const [request] = payloads(widget, 'CHAT_REQUESTED');
    expect(request!.additionalAttributes[0].value.formData.attributes).toEqual([
      { key: 'name', value: 'Kashif', type: 'string' },
      { key: 'phone', value: '+1343122554', type: 'string' },
      { key: 'topic', value: 'Internet', type: 'string' },
    ]);
    const lines = payloads(widget, 'MESSAGE_RECEIVED').filter((p) => p.body.type !== 'NOTIFICATION');
    expect(lines.map((p) => p.body.markdownText || p.body.additionalDetails?.fileName)).toEqual([
      'Talk to an agent',
      'Is my internet down?',
      'router_log.txt',
      'please attach the invoice',
      'Still there after the reload?',
    ]);
    expect(cx.violations.slice(violationsBefore)).toEqual([]);
  });
});
