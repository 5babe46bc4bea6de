// @vitest-environment happy-dom
import { act, cleanup, fireEvent, render, screen } from '@testing-library/preact';
import { Ui } from '../../src/ui/context';
import { afterEach, describe, expect, it } from 'vitest';
import { EndedView } from '../../src/ui/ended-view';
import { OfflineView } from '../../src/ui/offline-view';
import { WaitScreen } from '../../src/ui/wait-screen';
import { baseConfig, fakeSession } from './fake-session';
import { renderUi } from './render-ui';

afterEach(cleanup);

describe('wait screen', () => {
  it('shows the wait line, the queue position (not a status: the live region announces it), and "Cancel" when supported', () => {
    const fake = fakeSession({ phase: 'waiting', wait: { text: 'Paging an agent', position: 2 }, capabilities: new Set(['cancel']) });
    renderUi(fake.session, <WaitScreen />);
    expect(screen.getByText('Paging an agent')).toBeTruthy();
    expect(screen.getByText('You are number 2 in the queue')).toBeTruthy();
    act(() => void (fake.state.wait.value = { position: 1, total: 3 }));
    expect(screen.getByText('You are number 1 of 3 in the queue')).toBeTruthy();
    expect(screen.queryByRole('status')).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'Cancel' }));
    expect(fake.callsOf('cancelWaiting')).toHaveLength(1);
  });

  it('has no "Cancel" when the vendor cannot cancel', () => {
    renderUi(fakeSession({ phase: 'waiting' }).session, <WaitScreen />);
    expect(screen.queryByRole('button', { name: 'Cancel' })).toBeNull();
    expect(screen.getByText('Waiting for an agent…')).toBeTruthy();
  });
});

describe('ended view', () => {
  const postchat = [{ name: 'q', type: 'rating' as const, label: 'How did we do?', required: true, max: 5 }];

  it('shows the closing text, the post-chat survey and "Start a new chat"', () => {
    const fake = fakeSession({ phase: 'ended', config: baseConfig({ closingText: 'Bye now', postchat }) });
    renderUi(fake.session, <EndedView />);
    expect(screen.getByText('Bye now')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Send feedback' }));
    expect(fake.callsOf('submitPostchat')).toHaveLength(0);
    fireEvent.click(screen.getByRole('radio', { name: '5 stars' }));
    fireEvent.click(screen.getByRole('button', { name: 'Send feedback' }));
    expect(fake.callsOf('submitPostchat')).toEqual([[{ q: '5' }]]);
    act(() => void (fake.state.postchat.value = 'done'));
    expect(screen.queryByRole('button', { name: 'Send feedback' })).toBeNull();
    expect(screen.getByText('Thank you for your feedback.')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Start a new chat' }));
    expect(fake.callsOf('newChat')).toHaveLength(1);
  });

  it('offers the transcript by email and as a download only when the vendor can', () => {
    const none = fakeSession({ phase: 'ended' });
    renderUi(none.session, <EndedView />);
    expect(screen.queryByRole('button', { name: /transcript/i })).toBeNull();
    cleanup();
    const fake = fakeSession({ phase: 'ended', capabilities: new Set(['transcript-email', 'transcript-pdf']), visitor: { email: 'ann@example.com' } });
    renderUi(fake.session, <EndedView />);
    const email = screen.getByRole('textbox', { name: 'Email address' }) as HTMLInputElement;
    expect(email.value).toBe('ann@example.com');
    fireEvent.input(email, { target: { value: 'nope' } });
    fireEvent.click(screen.getByRole('button', { name: 'Email transcript' }));
    expect(fake.callsOf('requestTranscript')).toHaveLength(0);
    expect(email.getAttribute('aria-invalid')).toBe('true');
    fireEvent.input(email, { target: { value: 'ann@example.org' } });
    fireEvent.click(screen.getByRole('button', { name: 'Email transcript' }));
    fireEvent.click(screen.getByRole('button', { name: 'Download transcript' }));
    expect(fake.callsOf('requestTranscript')).toEqual([['email', 'ann@example.org'], ['pdf']]);
  });
});

describe('offline view', () => {
  it('shows the reason and takes a message', () => {
    const fake = fakeSession({ phase: 'offline', offline: { reason: 'Nobody is available.', leaveMessage: true } });
    renderUi(fake.session, <OfflineView />);
    expect(screen.getByText('Nobody is available.')).toBeTruthy();
    fireEvent.input(screen.getByRole('textbox', { name: /Name/ }), { target: { value: 'Ann' } });
    fireEvent.input(screen.getByRole('textbox', { name: /Email/ }), { target: { value: 'ann@example.com' } });
    fireEvent.input(screen.getByRole('textbox', { name: /Your message/ }), { target: { value: 'Call me' } });
    fireEvent.click(screen.getByRole('button', { name: 'Send message' }));
    expect(fake.callsOf('leaveMessage')).toEqual([[{ name: 'Ann', email: 'ann@example.com', phone: undefined, message: 'Call me' }]]);
    act(() => void (fake.state.leaveMessageRequest.value = 'done'));
    expect(screen.getByRole('status').textContent).toMatch(/Thank you/);
  });

  it('links safely to the forwarding page when messages cannot be left', () => {
    renderUi(fakeSession({ phase: 'offline', offline: { reason: 'Closed', leaveMessage: false, forwardingUrl: 'https://acme.test/contact' } }).session, <OfflineView />);
    const link = screen.getByRole('link', { name: 'Contact us another way' });
    expect([link.getAttribute('href'), link.getAttribute('rel')]).toEqual(['https://acme.test/contact', 'noopener noreferrer']);
    cleanup();
    renderUi(fakeSession({ phase: 'offline', offline: { reason: 'Closed', leaveMessage: false, forwardingUrl: 'javascript:alert(1)' } }).session, <OfflineView />);
    expect(screen.queryByRole('link')).toBeNull();
    // Nothing the vendor offers: still something true to do.
    expect(screen.getByText('Please try again later.')).toBeTruthy();
  });

  it('with no vendor path, links to the site contact page (data-offline-url), and only a safe one (issue 25 item 2)', () => {
    const offline = { reason: 'Nobody is available to chat right now', leaveMessage: false };
    const withUrl = (url: string) =>
      render(
        <Ui.Provider value={{ session: fakeSession({ phase: 'offline', offline }).session, locale: 'en', announce: () => undefined, offlineUrl: url }}>
          <OfflineView />
        </Ui.Provider>,
      );
    withUrl('https://shop.test/contact');
    expect(screen.getByRole('link', { name: 'Contact us another way' }).getAttribute('href')).toBe('https://shop.test/contact');
    expect(screen.queryByText('Please try again later.')).toBeNull();
    cleanup();
    withUrl('javascript:alert(1)');
    expect(screen.queryByRole('link')).toBeNull();
    expect(screen.getByText('Please try again later.')).toBeTruthy();
  });
});

describe('after a reload the transport cannot resume (issue 25 item 3)', () => {
  it('offers no post-chat survey or transcript it could never send, only a new chat', () => {
    const postchat = [{ name: 'q', type: 'rating' as const, label: 'How did we do?', required: true, max: 5 }];
    const fake = fakeSession({
      phase: 'ended',
      endedBy: 'system',
      afterChatPossible: false,
      agent: { name: 'Alex', isBot: false },
      capabilities: new Set(['transcript-email', 'postchat']),
      config: baseConfig({ postchat }),
    });
    renderUi(fake.session, <EndedView />);
    expect(screen.queryByRole('button', { name: 'Send feedback' })).toBeNull();
    expect(screen.queryByRole('textbox', { name: 'Email address' })).toBeNull();
    expect(screen.getByRole('button', { name: 'Start a new chat' })).toBeTruthy();
  });
});
