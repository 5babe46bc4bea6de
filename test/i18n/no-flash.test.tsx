// @vitest-environment happy-dom
import { within } from '@testing-library/preact';
import { describe, expect, it, vi } from 'vitest';
import { loadLocale } from '../../src/core/i18n';
import { mountWindow } from '../../src/ui/app';
import { fakeSession } from '../ui/fake-session';

// Its own file: this is the module's first locale load.
describe('opening before the locale has arrived', () => {
  it('never shows English: the window appears once the Turkish table is in', async () => {
    const { session } = fakeSession();
    const root = document.body.appendChild(document.createElement('confab-chat')).attachShadow({ mode: 'open' });
    const container = root.appendChild(document.createElement('div'));
    const loading = loadLocale('tr-TR');
    const unmount = mountWindow(root, container, session, { title: 'Acme', position: 'left', theme: 'light', locale: 'tr-TR' }, { focusLauncher: vi.fn() });
    const view = within(container);
    expect(view.queryByRole('dialog')).toBeNull();
    expect(container.textContent).not.toContain('Send');
    await loading;
    expect(await view.findByRole('button', { name: 'Gönder' })).toBeTruthy();
    expect(container.getAttribute('lang')).toBe('tr');
    unmount();
  });
});
