// @vitest-environment happy-dom
/**
 * Issue 27: once the app has run on intent the window is rendered while still closed, hidden,
 * so a click only shows it. Hidden means: out of the accessibility tree, invisible, nothing in it focused or
 * announced. The first opening shows that same tree. (That the app ends the pre-render at the
 * first opening, so a closed window unmounts as before, is e2e/preload.spec.ts.)
 */
import { act, waitFor, within } from '@testing-library/preact';
import { signal } from '@preact/signals-core';
import { afterEach, expect, it } from 'vitest';
import type { SurveyField } from '../../src/core/contract';
import { mountWindow } from '../../src/ui/app';
import { fakeSession } from './fake-session';

const nameField: SurveyField = { name: 'name', type: 'name', label: 'Your name', required: true };
let cleanup: (() => void) | null = null;
afterEach(() => {
  cleanup?.();
  cleanup = null;
  document.body.innerHTML = '';
});

it('a pre-rendered window is hidden, unfocused and silent until the first opening shows it', async () => {
  const { session, state } = fakeSession({ isOpen: false, phase: 'prechat', prechatFields: [nameField] });
  const host = document.createElement('confab-chat');
  document.body.append(host);
  const root = host.attachShadow({ mode: 'open' });
  const container = document.createElement('div');
  root.append(container);
  const warm = signal(false);
  cleanup = mountWindow(root, container, session, { title: 'Acme Support', position: 'right', theme: 'auto', locale: 'en', warm }, { focusLauncher: () => {} });
  const view = within(container);
  const live = () => view.getByTestId('live-region').textContent;
  expect(container.querySelector('.confab-window')).toBeNull();

  act(() => void (warm.value = true));
  const win = container.querySelector<HTMLElement>('.confab-window');
  expect(win).not.toBeNull();
  expect(win!.style.visibility).toBe('hidden');
  expect(view.queryByRole('dialog')).toBeNull(); // hidden from the accessibility tree
  // Its controls are there (rendered) but out of reach: hidden from role queries, not focused.
  expect(win!.querySelector('input')).not.toBeNull();
  expect(view.queryByRole('textbox', { name: /Your name/ })).toBeNull();
  act(() => void (state.agent.value = { name: 'Sam', isBot: false }));
  await new Promise((r) => requestAnimationFrame(() => setTimeout(r)));
  expect(root.activeElement).toBeNull();
  expect(live()).toBe('');

  act(() => void (state.isOpen.value = true));
  const dialog = view.getByRole('dialog', { name: 'Acme Support' });
  expect(dialog).toBe(win); // the same element: opening only showed it
  expect(dialog.style.visibility).toBe('');
  expect(dialog.style.animation).toBe(''); // the opening motion is the stylesheet's again
  await waitFor(() => expect(root.activeElement).toBe(view.getByRole('textbox', { name: /Your name/ })));
  act(() => void (state.agent.value = { name: 'Alex', isBot: false }));
  await waitFor(() => expect(live()).toMatch(/Alex/));
  expect(live()).not.toMatch(/Sam joined/); // said while hidden it would have been heard late, or twice
});
