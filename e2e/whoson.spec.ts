import { expect, test } from './fixtures';

test.describe('WhosOn, through the real script tag', () => {
  test('a visitor chats from the pre-chat survey to the transcript', async ({ widget, page, sandbox }) => {
    sandbox.tune({ delayScale: 1, queueFrom: 3 }); // people speed, so the queue can be seen moving
    await widget.load('whoson');
    await widget.launcher.click();
    await expect(widget.dialog).toBeVisible();
    await expect(page.getByRole('button', { name: 'Close chat' })).toHaveAttribute('aria-expanded', 'true');

    // Pre-chat survey, built from the connected event, with the opening message.
    await expect(widget.dialog.getByRole('heading', { name: 'Welcome' })).toBeVisible();
    const name = widget.dialog.getByLabel('Please enter your name:');
    await expect(name).toBeFocused();
    await widget.dialog.getByRole('button', { name: 'Start chat' }).click();
    await expect(name).toHaveAttribute('aria-invalid', 'true');
    await name.fill('Thomas');
    await widget.dialog.getByLabel('Please enter your company name:').fill('acme & sons <ltd>');
    await widget.dialog.getByRole('button', { name: 'Start chat' }).click();

    // The wait screen, with the queue moving.
    await expect(widget.dialog.getByText(/You are number \d+ (of \d+ )?in the queue/)).toBeVisible();
    await expect(widget.dialog.getByRole('button', { name: 'Cancel' })).toBeVisible();

    // The agent joins, types and greets.
    await expect(widget.log.getByText(/Alex Morgan joined/)).toBeVisible();
    await expect(widget.log.getByText('Hello Thomas, my name is Alex. How can I help you today?')).toBeVisible();

    // Messages both ways, echo confirmed by the server.
    await widget.say('Could you please help me with product installation');
    await expect(widget.log.getByText('Could you please help me with product installation')).toBeVisible();
    await expect(widget.log.getByText(/Let me check that for you/)).toBeVisible();
    await widget.say('send me a link');
    const link = widget.log.getByRole('link', { name: 'here' });
    await expect(link).toHaveAttribute('target', '_blank');
    await expect(link).toHaveAttribute('rel', /noopener/);

    // The agent ends the chat; the post-chat survey follows.
    await widget.say('bye');
    await expect(widget.dialog.getByRole('button', { name: 'Start a new chat' })).toBeVisible();
    await widget.dialog.getByRole('radio', { name: /^4/ }).check();
    await widget.dialog.getByLabel('How did you find us?').selectOption('LinkedIn Ad');
    await widget.dialog.getByRole('button', { name: 'Send feedback' }).click();
    const survey = await widget.waitForFrame('whoson', 'PostChatSurvey');

    // Transcript by email.
    await widget.dialog.getByRole('textbox', { name: /email/i }).last().fill('thomas@test.com');
    await widget.dialog.getByRole('button', { name: 'Email transcript' }).click();
    const transcript = await widget.waitForFrame('whoson', 'Transcript');

    // What the simulator received, in the document's parameter order.
    const frames = widget.received('whoson');
    const connect = frames.find((f) => f.name === 'Connect');
    expect(connect?.payload).toEqual([
      'sandbox-auth',
      expect.any(String),
      '',
      expect.any(String),
      expect.stringContaining('Mozilla'),
      expect.any(String),
      expect.any(String),
    ]);
    const hello = frames.find((f) => f.name === 'Hello')?.payload as string[];
    expect(hello[0]).toBe('Thomas');
    expect(hello[9]).toContain('<Name>Company</Name><Value>Acme &amp; Sons &lt;ltd&gt;</Value>');
    expect(frames.filter((f) => f.name === 'Message').map((f) => (f.payload as string[])[2])).toEqual([
      'Could you please help me with product installation',
      'send me a link',
      'bye',
    ]);
    expect(frames.some((f) => f.name === 'StartTyping')).toBe(true);
    expect((survey.payload as string[])[4]).toContain('<Field><Name>Rating</Name><Value>4</Value></Field>');
    expect((survey.payload as string[])[4]).toContain('<Name>FindMethod</Name><Value>LinkedIn Ad</Value>');
    expect((transcript.payload as string[])[4]).toBe('thomas@test.com');
  });

  test('with nobody available, the visitor leaves a message', async ({ widget, sandbox }) => {
    sandbox.setAvailable(false);
    await widget.load('whoson');
    await widget.launcher.click();
    await widget.dialog.getByLabel('Please enter your name:').fill('Thomas');
    await widget.dialog.getByRole('button', { name: 'Start chat' }).click();
    await expect(widget.dialog.getByText(/No operators are available/)).toBeVisible();
    const form = widget.dialog;
    await form.getByLabel(/^Your message/).fill('Please call back as soon as possible');
    await form.getByLabel(/^Email/).fill('thomas@test.com');
    await form.getByRole('button', { name: 'Send message' }).click();
    await expect(form.getByText(/message (was )?sent|thank you/i)).toBeVisible();
    const left = await widget.waitForFrame('whoson', 'LeaveMessage');
    const params = left.payload as string[];
    expect(params[4]).toBe('Thomas');
    expect(params[6]).toBe('thomas@test.com');
    expect(params[8]).toBe('Please call back as soon as possible');
  });

  test('nobody picks the chat up in time: the final line, Quit, and no operator afterwards', async ({ widget, page, sandbox }) => {
    // Unscaled: the final line at 700 ms; the agent would join at 1,000 ms without a Quit.
    sandbox.tune({ delayScale: 1, queueFrom: 0, pageTimeoutMs: 700 });
    try {
      await widget.load('whoson');
      await widget.launcher.click();
      await widget.dialog.getByLabel('Please enter your name:').fill('Thomas');
      await widget.dialog.getByRole('button', { name: 'Start chat' }).click();
      await expect(widget.dialog.getByText(/No operators are available/)).toBeVisible();
      const quit = await widget.waitForFrame('whoson', 'Quit');
      const hello = widget.received('whoson').find((f) => f.name === 'Hello')?.payload as string[];
      expect(quit.payload).toEqual([hello[4], hello[1]]);
      // Past the moment the agent would have joined and greeted: nobody did.
      await page.waitForTimeout(2500);
      await expect(widget.dialog.getByText(/Alex Morgan joined|How can I help you today/)).toHaveCount(0);
      await expect(widget.dialog.getByLabel(/^Your message/)).toBeVisible();
      expect(widget.received('whoson').filter((f) => f.name === 'Quit')).toHaveLength(1);
    } finally {
      sandbox.tune({ pageTimeoutMs: 0 });
    }
  });

  test('the chat survives a page navigation on the same site', async ({ widget, page }) => {
    await widget.load('whoson');
    await widget.launcher.click();
    await widget.dialog.getByLabel('Please enter your name:').fill('Thomas');
    await widget.dialog.getByRole('button', { name: 'Start chat' }).click();
    await expect(widget.log.getByText(/How can I help you today/)).toBeVisible();
    await page.reload();
    // The transcript and the open window come back; WhosOn cannot resume a socket, and says so.
    await expect(widget.log.getByText(/How can I help you today/)).toBeVisible();
    await expect(widget.dialog.getByRole('button', { name: 'Start a new chat' })).toBeVisible();
  });
});
