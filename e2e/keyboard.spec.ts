/**
 * Issue 9: every journey completes with the keyboard alone — Tab, Shift+Tab, Enter, Space,
 * arrow keys in radio groups and rating scales, Escape — with a visible focus indicator on
 * every control the widget puts focus on, and focus moving only in response to the visitor.
 */
import type { Locator, Page } from '@playwright/test';
import type { ReceivedFrame } from '../src/server/sandbox/types';
import { expect, test, type Widget } from './fixtures';

/**
 * Describes the focused element (through shadow roots) and whether it shows a focus
 * indicator: its own outline, or — for a visually hidden radio (star scales) — its label's.
 */
function focusState(): { inWidget: boolean; label: string; visible: boolean } {
  let el: Element | null = document.activeElement;
  while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
  if (!el) return { inWidget: false, label: 'nothing', visible: false };
  const ring = (e: Element) => {
    const s = getComputedStyle(e);
    return s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2 && s.opacity !== '0';
  };
  const label = el.closest('label');
  return {
    inWidget: el.getRootNode() instanceof ShadowRoot,
    label: `${el.tagName.toLowerCase()} "${el.getAttribute('aria-label') ?? label?.textContent ?? el.textContent ?? ''}"`.slice(0, 80),
    visible: ring(el) || (label !== null && ring(label)),
  };
}

/** Presses `key` (Tab or Shift+Tab) until `target` has focus, checking focus is visible at each widget stop (the demo host page has a configurator: a way round passes its fields). */
async function tabTo(page: Page, target: Locator, key: 'Tab' | 'Shift+Tab' = 'Tab', max = 60): Promise<void> {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press(key);
    const state = await page.evaluate(focusState);
    if (state.inWidget) expect(state.visible, `visible focus on ${state.label}`).toBe(true);
    if (await target.evaluate((el) => el.getRootNode() instanceof ShadowRoot && (el.getRootNode() as ShadowRoot).activeElement === el)) return;
  }
  throw new Error(`${key} never reached ${target.toString()}`);
}

function receivedSince(widget: Widget, vendor: 'whoson' | 'tencent'): () => ReceivedFrame[] {
  const from = widget.received(vendor).length;
  return () => widget.received(vendor).slice(from);
}

test('WhosOn, keyboard only: open, pre-chat, chat, rate with arrow keys, feedback, Escape back to the launcher', async ({ widget, page }) => {
  const received = receivedSince(widget, 'whoson');
  await widget.load('whoson');
  const { dialog, log } = widget;

  // Tab from the top of the page to the launcher; Enter opens; the first field has focus.
  await tabTo(page, widget.launcher);
  await page.keyboard.press('Enter');
  await expect(dialog).toBeVisible();
  const name = dialog.getByLabel('Please enter your name:');
  await expect(name).toBeFocused();

  // Enter submits the empty survey: the error is tied to the field, which keeps focus.
  await page.keyboard.press('Enter');
  await expect(name).toHaveAttribute('aria-invalid', 'true');
  await expect(name).toBeFocused();
  await page.keyboard.type('Thomas');
  const company = dialog.getByLabel('Please enter your company name:');
  await tabTo(page, company);
  await page.keyboard.type('Acme');
  await tabTo(page, name, 'Shift+Tab');
  await expect(name).toHaveValue('Thomas');
  await tabTo(page, dialog.getByRole('button', { name: 'Start chat' }));
  await page.keyboard.press('Space');

  // The conversation: the message box gets focus once the view holding it went away, and keeps
  // it while the agent's lines arrive.
  await expect(widget.message).toBeFocused();
  await expect(log.getByText(/How can I help you today/)).toBeVisible();
  await page.keyboard.type('Could you please help me with product installation');
  await page.keyboard.press('Enter');
  await expect(log.getByText(/Let me check that for you/)).toBeVisible();
  await expect(widget.message).toBeFocused();
  await page.keyboard.type('bye');
  await page.keyboard.press('Enter');

  // The post-chat survey: arrow keys move through the rating, a select by keyboard, Enter sends.
  await expect(dialog.getByRole('button', { name: 'Start a new chat' })).toBeVisible();
  const first = dialog.getByRole('radio', { name: /^1 star/ });
  await tabTo(page, first);
  for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowRight');
  await expect(dialog.getByRole('radio', { name: /^4 stars/ })).toBeChecked();
  await expect(dialog.getByRole('radio', { name: /^4 stars/ })).toBeFocused();
  const how = dialog.getByLabel('How did you find us?');
  await tabTo(page, how);
  await page.keyboard.press('ArrowDown');
  const chosen = await how.inputValue();
  expect(chosen).not.toBe('');
  await tabTo(page, dialog.getByRole('button', { name: 'Send feedback' }));
  await page.keyboard.press('Enter');
  await expect.poll(() => received().some((f) => f.name === 'PostChatSurvey')).toBe(true);
  const survey = (received().find((f) => f.name === 'PostChatSurvey')?.payload as string[])[4];
  expect(survey).toContain('<Field><Name>Rating</Name><Value>4</Value></Field>');
  expect(survey).toContain(`<Value>${chosen}</Value>`);

  // Escape closes the window and hands focus back to the launcher.
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  await expect(page.getByRole('button', { name: 'Open chat' })).toBeFocused();
  await expect(page.getByRole('button', { name: 'Open chat' })).toHaveAttribute('aria-expanded', 'false');
});

test('Tencent, keyboard only: branch, form options with arrow keys, star rating confirmed with Enter, numeric with the button', async ({ widget, page }) => {
  const received = receivedSince(widget, 'tencent');
  await widget.load('tencent');
  const { dialog, log } = widget;
  await tabTo(page, widget.launcher);
  await page.keyboard.press('Enter');
  const start = dialog.getByRole('button', { name: 'Start chat' });
  await expect(start).toBeFocused(); // no survey fields: the first useful control is the button
  await page.keyboard.press('Enter');
  await expect(widget.message).toBeFocused();

  // The branch: Shift+Tab back from the message box into the quick replies, Enter chooses.
  const welcome = log.getByRole('group', { name: 'How can we help?' });
  const form = welcome.getByRole('button', { name: 'Fill in a form' });
  await tabTo(page, form, 'Shift+Tab');
  await page.keyboard.press('Enter');
  await expect(welcome.getByRole('button', { name: /^Fill in a form/ })).toHaveAttribute('aria-pressed', 'true');

  // A form with options: arrow keys pick, Tab to Submit, Enter sends.
  const food = log.getByRole('form', { name: 'What do you like to eat?' });
  const radios = food.getByRole('radio');
  await expect(radios.first()).toBeVisible();
  await tabTo(page, radios.first());
  for (let i = 0; i < 10 && !(await food.getByRole('radio', { name: 'Watermelon' }).isChecked()); i++) await page.keyboard.press('ArrowDown');
  await expect(food.getByRole('radio', { name: 'Watermelon' })).toBeChecked();
  await tabTo(page, food.getByRole('button', { name: 'Submit' }));
  await page.keyboard.press('Enter');
  const email = log.getByRole('form', { name: 'What is your email address?' });
  await tabTo(page, email.getByRole('textbox'));
  await page.keyboard.type('thomas@test.com');
  await page.keyboard.press('Enter');
  await expect(log.getByText('What is your email address? thomas@test.com')).toBeFocused(); // the answer took the submitted form's place
  await expect(log.getByText('Thank you, we noted: thomas@test.com')).toBeVisible();

  // To a human, then the star rating: arrows only move the choice; Enter confirms.
  await tabTo(page, widget.message);
  await page.keyboard.type('human');
  await page.keyboard.press('Enter');
  await expect(log.getByText('Hello there, my name is Alex. How can I help you today?')).toBeVisible();
  await page.keyboard.type('rate');
  await page.keyboard.press('Enter');
  const groups = log.getByRole('radiogroup', { name: /please evaluate this service/ });
  await expect(groups).toHaveCount(1);
  const stars = groups.first();
  await tabTo(page, stars.getByRole('radio').first());
  for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowRight');
  await expect(stars.getByRole('radio', { name: 'Satisfied', exact: true })).toBeChecked();
  await expect(log.getByText(/You rated/)).toHaveCount(0); // moving is not rating
  await page.keyboard.press('Enter');
  await expect(log.getByText('You rated: Satisfied')).toBeFocused(); // not dropped to the page with the disabled radios

  // The numeric scale: an arrow moves, "Send rating" (by Tab + Space) confirms.
  await tabTo(page, widget.message);
  await page.keyboard.type('rate numbers');
  await page.keyboard.press('Enter');
  await expect(groups).toHaveCount(2);
  const numeric = groups.last();
  // Shift+Tab enters an unchecked radio group at its last option; ArrowLeft moves back one.
  await tabTo(page, numeric.getByRole('radio', { name: 'Highly satisfied' }), 'Shift+Tab');
  await page.keyboard.press('ArrowLeft');
  await expect(numeric.getByRole('radio', { name: 'Satisfied', exact: true })).toBeChecked();
  await tabTo(page, dialog.getByRole('button', { name: 'Send rating' }));
  await page.keyboard.press('Space');
  await expect(log.getByText('You rated: Satisfied')).toHaveCount(2);
  for (const radio of await numeric.getByRole('radio').all()) await expect(radio).toBeDisabled();

  // Each rating reached the desk once, with the option the keyboard confirmed.
  const rated = () =>
    received()
      .filter((f) => f.name === 'src:10')
      .map((f) => (f.payload as { data: { menuSelected: { content: string } } }).data.menuSelected.content);
  await expect.poll(rated).toEqual(['Satisfied', 'Satisfied']);

  await page.keyboard.press('Escape');
  await expect(page.getByRole('button', { name: 'Open chat' })).toBeFocused();
});

test('focus moves only for the visitor: a message arriving while the visitor is on the host page leaves focus there', async ({ widget, page }) => {
  await widget.load('whoson');
  await widget.launcher.click();
  await widget.dialog.getByLabel('Please enter your name:').fill('Thomas');
  await widget.dialog.getByRole('button', { name: 'Start chat' }).click();
  await expect(widget.log.getByText(/How can I help you today/)).toBeVisible();
  await widget.say('are you there?');
  // The visitor clicks back into the page (on plain text) while the agent is answering.
  await page.getByRole('heading', { name: 'Confab demo' }).click();
  await expect(widget.log.getByText(/"are you there\?"\. Let me check/)).toBeVisible();
  expect(await page.evaluate(focusState)).toMatchObject({ inWidget: false });
});

test('focus moves only for the visitor: a window opened by data-open or restored by a reload leaves focus on the page; the launcher moves it in', async ({ widget, page }) => {
  await widget.load('whoson', { open: '' });
  await expect(widget.dialog.getByLabel('Please enter your name:')).toBeVisible();
  expect(await page.evaluate(focusState), 'data-open').toMatchObject({ inWidget: false });

  await widget.dialog.getByLabel('Please enter your name:').fill('Thomas');
  await widget.dialog.getByRole('button', { name: 'Start chat' }).click();
  await expect(widget.log.getByText(/How can I help you today/)).toBeVisible();
  await page.reload();
  await expect(widget.log.getByText(/How can I help you today/)).toBeVisible();
  expect(await page.evaluate(focusState), 'restored after a reload').toMatchObject({ inWidget: false });

  // (A host script opening the chat on its own is told apart by the browser's user activation,
  // which Playwright's evaluate always grants: that case cannot be shown here.)
  await page.evaluate(() => (window as unknown as { Confab(c: string): void }).Confab('close'));
  await widget.launcher.click();
  await expect.poll(() => page.evaluate(focusState)).toMatchObject({ inWidget: true });
});
