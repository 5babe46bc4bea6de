// @vitest-environment happy-dom
import { act, within } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadLocale, setLocale } from '../../src/core/i18n';
import { mountWindow, type UiOptions } from '../../src/ui/app';
import { fakeSession } from '../ui/fake-session';

const options: UiOptions = { title: 'Acme', position: 'right', theme: 'auto', locale: 'ar' };
let cleanup: (() => void) | null = null;

afterEach(async () => {
  cleanup?.();
  cleanup = null;
  document.body.innerHTML = '';
  await loadLocale('en');
});

function mount(session: ReturnType<typeof fakeSession>['session']) {
  const host = document.createElement('confab-chat');
  document.body.append(host);
  const root = host.attachShadow({ mode: 'open' });
  const container = document.createElement('div');
  root.append(container);
  cleanup = mountWindow(root, container, session, options, { focusLauncher: vi.fn() });
  return { container, view: within(container) };
}

describe('the chat window in a right-to-left locale', () => {
  it('renders Arabic with dir=rtl and lang=ar, and Arabic accessible names', async () => {
    await loadLocale('ar');
    const { session } = fakeSession();
    const { container, view } = mount(session);
    expect(container.getAttribute('dir')).toBe('rtl');
    expect(container.getAttribute('lang')).toBe('ar');
    expect(view.getByRole('dialog', { name: 'Acme' })).toBeTruthy();
    // Parts of the window are lazily loaded: wait for the composer.
    expect(await view.findByRole('textbox', { name: 'الرسالة' })).toBeTruthy();
    expect(view.getByRole('button', { name: 'إرسال' })).toBeTruthy();
    expect(view.getByRole('button', { name: 'تصغير المحادثة' })).toBeTruthy();
    expect(view.getByRole('log', { name: 'الرسائل' })).toBeTruthy();
    expect(view.queryByRole('button', { name: 'Send' })).toBeNull();
  });

  it('switches language and direction at run time (setLocale)', async () => {
    await loadLocale('ar');
    const { session } = fakeSession();
    const { container, view } = mount(session);
    await view.findByRole('textbox', { name: 'الرسالة' });
    await act(() => setLocale('de-CH'));
    expect(container.getAttribute('dir')).toBe('ltr');
    expect(container.getAttribute('lang')).toBe('de');
    expect(view.getByRole('textbox', { name: 'Nachricht' })).toBeTruthy();
    expect(view.getByRole('button', { name: 'Senden' })).toBeTruthy();
    await act(() => setLocale('ur'));
    expect(container.getAttribute('dir')).toBe('rtl');
    expect(view.getByRole('button', { name: 'بھیجیں' })).toBeTruthy();
  });

  it('shows a line time in the visitor locale', async () => {
    await loadLocale('en-US');
    const at = Date.UTC(2024, 0, 15, 14, 5);
    const { session, state } = fakeSession();
    state.transcript.value = [{ kind: 'message', id: 'm1', at, sender: 'agent', text: 'Hello', authorName: 'Sam' } as never];
    const { view } = mount(session);
    await view.findByText('Hello');
    const time = () => view.getByRole('log').querySelector('time')?.textContent ?? '';
    const fmt = (tag: string) => new Intl.DateTimeFormat(tag, { hour: '2-digit', minute: '2-digit' }).format(at);
    expect(time()).toBe(fmt('en-US'));
    await act(() => setLocale('de-DE'));
    expect(time()).toBe(fmt('de-DE'));
  });
});
