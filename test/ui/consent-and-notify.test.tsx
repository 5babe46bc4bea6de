// @vitest-environment happy-dom
import { signal } from '@preact/signals-core';
import { act, cleanup, fireEvent, render, screen } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConsentView } from '../../src/ui/consent-view';
import { Ui } from '../../src/ui/context';
import { Header } from '../../src/ui/header';
import { watchNotifications } from '../../src/ui/notify';
import { Window } from '../../src/ui/window';
import { fakeSession } from './fake-session';
import { renderUi } from './render-ui';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe('consent step', () => {
  it('shows the site text and a safe privacy link, and reports accept and decline', () => {
    const fake = fakeSession({ phase: 'closed', consentPending: true });
    renderUi(fake.session, <ConsentView text="We use Acme Chat." privacyUrl="https://shop.test/privacy" />);
    expect(screen.getByRole('heading', { name: 'Before you chat' })).toBeTruthy();
    expect(screen.getByText('We use Acme Chat.')).toBeTruthy();
    const link = screen.getByRole('link', { name: 'Privacy policy' });
    expect(link.getAttribute('href')).toBe('https://shop.test/privacy');
    expect(link.getAttribute('rel')).toContain('noopener');
    fireEvent.click(screen.getByRole('button', { name: 'Accept and continue' }));
    fireEvent.click(screen.getByRole('button', { name: 'No thanks' }));
    expect(fake.callsOf('consent')).toEqual([[true], [false]]);
  });

  it('uses the default text, drops an unsafe privacy URL and renders site text as text, not HTML', () => {
    const { container } = renderUi(
      fakeSession({ consentPending: true }).session,
      <ConsentView text="<img src=x onerror=alert(1)>" privacyUrl="javascript:alert(1)" />,
    );
    expect(screen.queryByRole('link')).toBeNull();
    expect(container.querySelector('img')).toBeNull();
    cleanup();
    renderUi(fakeSession({ consentPending: true }).session, <ConsentView />);
    expect(screen.getByText(/This chat is run by a customer service provider/)).toBeTruthy();
  });

  it('takes the place of every other view in the window while consent is pending, with no connection line', async () => {
    const fake = fakeSession({ phase: 'closed', connection: 'connecting', consentPending: true });
    renderUi(fake.session, <Window title="Acme" focusLauncher={() => undefined} announce={() => undefined} />);
    // The consent step is a chunk of its own (only sites that ask for it download it).
    expect(await screen.findByRole('button', { name: 'Accept and continue' })).toBeTruthy();
    expect(screen.queryByText('Loading chat…')).toBeNull();
    expect(screen.queryByText(/Connecting/)).toBeNull();
    act(() => void (fake.state.consentPending.value = false));
    expect(screen.queryByRole('button', { name: 'Accept and continue' })).toBeNull();
    expect(screen.getByText('Loading chat…')).toBeTruthy();
    expect(screen.getByText(/Connecting/)).toBeTruthy();
  });
});

describe('data-logo', () => {
  it('is the header logo when the vendor sends none; the vendor image wins; unsafe ones never show', () => {
    const fake = fakeSession({ phase: 'chatting' });
    const { container } = renderUi(fake.session, <Header title="Acme" titleId="t" logo="https://shop.test/logo.png" onMinimise={() => undefined} />);
    expect(screen.getByRole('img', { name: 'Acme logo' }).getAttribute('src')).toBe('https://shop.test/logo.png');
    act(() => void (fake.state.logoUrl.value = 'https://vendor.test/site.png'));
    expect(screen.getByRole('img', { name: 'Acme logo' }).getAttribute('src')).toBe('https://vendor.test/site.png');
    cleanup();
    renderUi(fakeSession({ phase: 'chatting' }).session, <Header title="Acme" titleId="t" logo="javascript:alert(1)" onMinimise={() => undefined} />);
    expect(container.querySelector('img')).toBeNull();
    expect(document.querySelector('img')).toBeNull();
  });
});

/** A recording stand-in for the browser's Notification API, with a given permission answer. */
function notificationApi(answer: NotificationPermission) {
  const shown: { title: string; body?: string; icon?: string }[] = [];
  class FakeNotification {
    static permission: NotificationPermission = 'default';
    static requestPermission = vi.fn(async () => (FakeNotification.permission = answer));
    onclick: (() => void) | null = null;
    constructor(title: string, opts: NotificationOptions = {}) {
      shown.push({ title, body: opts.body, icon: opts.icon });
    }
    close() {}
  }
  vi.stubGlobal('Notification', FakeNotification);
  return { api: FakeNotification, shown };
}

describe('"Notify me of new messages"', () => {
  it('is a toggle, off by default, that asks for permission on click and turns on only when granted', async () => {
    const { api } = notificationApi('granted');
    const notify = signal(false);
    const fake = fakeSession({ phase: 'chatting' });
    render(
      <Ui.Provider value={{ session: fake.session, locale: 'en', announce: () => undefined, notify }}>
        <Header title="Acme" titleId="t" onMinimise={() => undefined} />
      </Ui.Provider>,
    );
    const toggle = screen.getByRole('button', { name: 'Notify me of new messages' });
    expect(toggle.getAttribute('aria-pressed')).toBe('false');
    expect(api.requestPermission).not.toHaveBeenCalled();
    await act(async () => void fireEvent.click(toggle));
    expect(api.requestPermission).toHaveBeenCalledTimes(1);
    expect(toggle.getAttribute('aria-pressed')).toBe('true');
    await act(async () => void fireEvent.click(toggle));
    expect(toggle.getAttribute('aria-pressed')).toBe('false');
  });

  it('stays off when the visitor refuses, and the toggle goes away', async () => {
    notificationApi('denied');
    const notify = signal(false);
    render(
      <Ui.Provider value={{ session: fakeSession({ phase: 'chatting' }).session, locale: 'en', announce: () => undefined, notify }}>
        <Header title="Acme" titleId="t" onMinimise={() => undefined} />
      </Ui.Provider>,
    );
    await act(async () => void fireEvent.click(screen.getByRole('button', { name: 'Notify me of new messages' })));
    expect(notify.value).toBe(false);
    expect(screen.queryByRole('button', { name: 'Notify me of new messages' })).toBeNull();
  });

  it('shows an agent line as plain text with no icon, only when turned on and the page is hidden', () => {
    const { api, shown } = notificationApi('granted');
    api.permission = 'granted';
    let listener: ((m: { sender: string; text: string; authorName?: string }) => void) | undefined;
    const session = { ...fakeSession().session, on: (_: string, fn: typeof listener) => ((listener = fn), () => undefined) };
    const watch = watchNotifications(session as never, () => 'Acme');
    let hidden = true;
    Object.defineProperty(document, 'hidden', { configurable: true, get: () => hidden });
    listener!({ sender: 'agent', text: 'before opt-in', authorName: 'Alex' });
    watch.on.value = true;
    listener!({ sender: 'visitor', text: 'mine' });
    listener!({ sender: 'agent', text: 'Your order shipped', authorName: 'Alex' });
    listener!({ sender: 'bot', text: 'x'.repeat(500) });
    hidden = false;
    listener!({ sender: 'agent', text: 'while visible', authorName: 'Alex' });
    expect(shown).toEqual([
      { title: 'Alex', body: 'Your order shipped', icon: undefined },
      { title: 'Acme', body: 'x'.repeat(200), icon: undefined },
    ]);
    watch.stop();
  });
});
