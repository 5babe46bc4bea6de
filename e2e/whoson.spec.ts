import { expect, test } from './fixtures';
import { surveyField } from '../src/server/sandbox/whoson';
import type { Sandbox } from '../src/server/sandbox/main';
import { systemClock } from '../src/server/clock';
import { steppedClock } from '../test/fixtures/manual-clock';

/** The WhosOn simulator with its test hooks (issue 19). */
function whosonHooks(sandbox: Sandbox) {
  const v = sandbox.vendors.whoson;
  if (!v?.site || !v.holdOperators || !v.dropClients || !v.violations) throw new Error('the WhosOn sandbox has no issue-19 hooks');
  return v as typeof v & Required<Pick<typeof v, 'site' | 'holdOperators' | 'dropClients' | 'violations'>>;
}

test.describe('WhosOn, through the real script tag', () => {
  test('a visitor chats from the pre-chat survey to the transcript', async ({ widget, page, sandbox }) => {
    // Slower than people speed, so the queue line stays up for ~6 s: at 1× it showed for ~2 s, which
    // a busy CI machine once missed. (Driving the agent's stepped clock by hand lost the queue line
    // here in a trial, not yet understood; the fixture puts the speed back for the next test.)
    test.slow();
    sandbox.tune({ delayScale: 3, queueFrom: 3 });
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
    await widget.load('whoson');
    await widget.launcher.click();
    // Operators were online as the window opened (GetOperators) and are gone when the chat is asked for.
    await expect(widget.dialog.getByText('We\u2019re online')).toBeVisible();
    sandbox.setAvailable(false);
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
    // Unscaled, on a clock the test moves: the final line at 700 ms; the agent would join at
    // 1,000 ms without a Quit.
    const clock = steppedClock();
    sandbox.tune({ delayScale: 1, queueFrom: 0, pageTimeoutMs: 700, clock });
    try {
      await widget.load('whoson');
      await widget.launcher.click();
      await widget.dialog.getByLabel('Please enter your name:').fill('Thomas');
      await widget.dialog.getByRole('button', { name: 'Start chat' }).click();
      await widget.waitForFrame('whoson', 'Hello');
      await expect.poll(() => clock.pending()).toBeGreaterThan(0); // the operator's steps are scheduled
      clock.advance(700);
      await expect(widget.dialog.getByText(/No operators are available/)).toBeVisible();
      const quit = await widget.waitForFrame('whoson', 'Quit');
      const hello = widget.received('whoson').find((f) => f.name === 'Hello')?.payload as string[];
      expect(quit.payload).toEqual([hello[4], hello[1]]);
      // The Quit took every step of the operator off the clock; well past the moment the agent
      // would have joined and greeted, the server sent no join and no greeting.
      expect(clock.pending()).toBe(0);
      clock.advance(60_000);
      const res = await page.request.get(`${sandbox.url}/__sandbox/desk?vendor=whoson`);
      const desk = (await res.json()) as { chat: { key: string } | null; wire: { dir: string; name: string; chat?: string; payload: string }[] };
      const sent = desk.wire.filter((f) => f.dir === 'out' && f.chat === desk.chat?.key);
      expect(sent.map((f) => f.name)).toContain('newline'); // the final line: this chat's frames are here
      expect(sent.filter((f) => f.name === 'operatorjoined' || /How can I help you today/.test(f.payload))).toEqual([]);
      await expect(widget.dialog.getByText(/Alex Morgan joined|How can I help you today/)).toHaveCount(0);
      await expect(widget.dialog.getByLabel(/^Your message/)).toBeVisible();
      expect(widget.received('whoson').filter((f) => f.name === 'Quit')).toHaveLength(1);
    } finally {
      sandbox.tune({ pageTimeoutMs: 0, clock: systemClock });
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

  test('as deployed: every survey rule, drops while waiting and while chatting, preview, a SOAP upload, the survey afterwards', async ({
    widget,
    sandbox,
  }) => {
    const whoson = whosonHooks(sandbox);
    const violationsBefore = whoson.violations.length;
    whoson.site({
      showLanguageSelector: true,
      prechat: [
        surveyField('Notes', 'text', 'Anything we should know?', { MultiLine: true, Lines: 2 }),
        surveyField('Pin', 'text', 'Your PIN', { MultiLine: true, Lines: 3, Password: true }),
        surveyField('Code', 'text', 'Customer code', { Mask: '(\\d?\\d?)+' }),
        surveyField('Seats', 'numeric', 'How many seats?', { ValidateLow: 1, ValidateHigh: 10 }),
      ],
    });
    whoson.holdOperators(true);
    try {
      await widget.load('whoson');
      await widget.launcher.click();
      const d = widget.dialog;
      // The language selector, then each survey rule refusing a bad value.
      await expect(d.getByLabel('Chat language')).toHaveValue('English');
      await d.getByLabel('Chat language').selectOption('German');
      await d.getByLabel('Please enter your name:').fill('Thomas');
      await d.getByLabel('Anything we should know?').fill('one\ntwo\nthree');
      const pin = d.getByLabel('Your PIN');
      await expect(pin).toHaveAttribute('type', 'password'); // Password and MultiLine: one masked line
      await pin.fill('1234');
      await d.getByLabel('Customer code').fill(`${'1'.repeat(21)}x`); // the risky mask, enforced at once
      await d.getByLabel('How many seats?').fill('0');
      await d.getByRole('button', { name: 'Start chat' }).click();
      await expect(d.getByText('Use at most 2 lines')).toBeVisible();
      await expect(d.getByText('The value is not in the expected format')).toBeVisible();
      await expect(d.getByText('Enter a number of at least 1')).toBeVisible();
      await d.getByLabel('Anything we should know?').fill('one\ntwo');
      await d.getByLabel('Customer code').fill('1234');
      await d.getByLabel('How many seats?').fill('3');
      await d.getByRole('button', { name: 'Start chat' }).click();
      const hello = (await widget.waitForFrame('whoson', 'Hello')).payload as string[];
      expect(hello.slice(7, 9)).toEqual(['de', 'true']);
      expect(hello[9]).not.toContain('language');
      expect(hello[9]).toContain('<Name>Seats</Name><Value>3</Value>');

      // Waiting for an operator: a line waits for its echo, and the socket drops.
      await expect(d.getByRole('button', { name: 'Cancel' })).toBeVisible();
      const held = 'written while waiting';
      await widget.say(held);
      await widget.waitForFrame('whoson', 'Message');
      const connects = () => widget.received('whoson').filter((f) => f.name === 'Connect');
      expect(whoson.dropClients()).toBeGreaterThan(0);
      await expect.poll(() => connects().length).toBe(2);
      expect(connects()[1]?.payload).toHaveLength(8); // the ChatUID: re-attach
      await expect(d.getByRole('button', { name: 'Cancel' })).toBeVisible();
      whoson.holdOperators(false);
      await expect(widget.log.getByText('Hello Thomas, my name is Alex. How can I help you today?', { exact: true })).toBeVisible();
      await expect(widget.log.getByText(held, { exact: true })).toHaveCount(1);

      // Preview while typing (the site allows it), then the line.
      await widget.message.fill('I would like a quote');
      await widget.waitForFrame('whoson', 'Preview');
      await widget.message.press('Enter');
      // (German was chosen: each agent line is followed by its translation, hence first().)
      await expect(widget.log.getByText(/I would like a quote".*Let me check/).first()).toBeVisible();

      // A file through SOAP 1.1 DocumentWriteForSite, then File with the returned URL.
      await widget.root.getByTestId('file-input').setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('hello') });
      const upload = await widget.waitForFrame('whoson', /cannedresponseservice\.asmx/);
      expect(upload.payload).toMatchObject({ contentType: 'text/xml; charset=utf-8', FileName: 'notes.txt' });
      const file = (await widget.waitForFrame('whoson', 'File')).payload as string[];
      expect(file[3]).toMatch(/\/whosoncharts\/document\.aspx\?f=/);
      await expect(widget.log.getByRole('link', { name: /notes\.txt/ })).toBeVisible();

      // Chatting: the socket drops again; a line written meanwhile goes out once, after the re-attach.
      whoson.dropClients();
      const down = 'written while the socket was down';
      await widget.say(down);
      await expect.poll(() => connects().length).toBe(3);
      await expect(widget.log.getByText(new RegExp(`${down}".*Let me check`)).first()).toBeVisible();
      await expect(widget.log.getByText(down, { exact: true })).toHaveCount(1);
      await expect(widget.log.getByText('Not delivered')).toHaveCount(0);

      // The agent ends it; the post-chat survey afterwards succeeds, its boolean as Y.
      await widget.say('bye');
      await expect(d.getByRole('button', { name: 'Start a new chat' })).toBeVisible();
      // Never pre-ticked (issue 25 item 15): the visitor ticks it.
      await expect(d.getByRole('checkbox', { name: 'Join our mailing list?' })).not.toBeChecked();
      await d.getByRole('checkbox', { name: 'Join our mailing list?' }).check();
      await d.getByRole('radio', { name: /^4/ }).check();
      await d.getByRole('button', { name: 'Send feedback' }).click();
      const survey = (await widget.waitForFrame('whoson', 'PostChatSurvey')).payload as string[];
      await expect(d.getByText('Thank you for your feedback.')).toBeVisible();
      expect(survey[4]).toContain('<Field><Name>Mailing</Name><Value>Y</Value></Field>');
      const messages = widget.received('whoson').filter((f) => f.name === 'Message');
      expect(messages.map((f) => (f.payload as string[])[2])).toEqual([held, 'I would like a quote', down, 'bye']);
      // Each command after a re-attach carried the SessionID of its own connection.
      expect((messages[0]?.payload as string[])[0]).toBe(hello[4]);
      expect((messages[1]?.payload as string[])[0]).not.toBe(hello[4]);
      expect(survey[1]).toBe((messages[3]?.payload as string[])[0]);
      expect(whoson.violations.slice(violationsBefore)).toEqual([]);
    } finally {
      whoson.site({});
      whoson.holdOperators(false);
    }
  });

  test('a server with the alternative spellings (ChatUID, ClassName, SessionId): the chat and its survey work', async ({ widget, sandbox }) => {
    const whoson = whosonHooks(sandbox);
    whoson.site({ spellings: 'alternative' });
    try {
      await widget.load('whoson');
      await widget.launcher.click();
      await widget.dialog.getByLabel('Please enter your name:').fill('Thomas');
      await widget.dialog.getByRole('button', { name: 'Start chat' }).click();
      await expect(widget.log.getByText(/How can I help you today/)).toBeVisible();
      await widget.say('spelled differently');
      await expect(widget.log.getByText(/spelled differently".*Let me check/)).toBeVisible();
      await expect(widget.log.getByText('spelled differently', { exact: true })).toHaveCount(1);
      await widget.say('bye');
      await widget.dialog.getByRole('radio', { name: /^5/ }).check();
      await widget.dialog.getByRole('button', { name: 'Send feedback' }).click();
      await expect(widget.dialog.getByText('Thank you for your feedback.')).toBeVisible();
    } finally {
      whoson.site({});
    }
  });
});
