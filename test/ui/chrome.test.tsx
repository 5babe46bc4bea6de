// @vitest-environment happy-dom
import { act, cleanup, fireEvent, render, screen, within } from '@testing-library/preact';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadExtras } from '../../src/ui/extras';
import { Ui } from '../../src/ui/context';
import { ErrorBanner } from '../../src/ui/error-banner';
import { Header } from '../../src/ui/header';
import { createAnnouncer, LiveRegion, useSessionAnnouncements } from '../../src/ui/live-region';
import { StatusBar } from '../../src/ui/status-bar';
import { TypingIndicator } from '../../src/ui/typing-indicator';
import { fakeSession } from './fake-session';
import { renderUi } from './render-ui';

afterEach(cleanup);

// The file picker, emoji button and end question come in the extras chunk (fetched as the window opens).
beforeAll(loadExtras);

describe('header', () => {
  it('names the window, shows agent, avatar, bot marker and logo, and "End chat" while live', () => {
    const fake = fakeSession({ phase: 'chatting', capabilities: new Set(['end']), agent: { name: 'Robo', isBot: true, avatar: 'https://x.test/a.png' }, logoUrl: 'data:image/png;base64,iVBORw0KGgo=' });
    const { container } = renderUi(fake.session, <Header title="Acme" titleId="t" onMinimise={() => undefined} />);
    expect(screen.getByRole('heading', { name: 'Acme' }).id).toBe('t');
    expect(screen.getByText('Robo')).toBeTruthy();
    expect(screen.getByText('Bot')).toBeTruthy();
    expect(screen.getByRole('img', { name: 'Acme logo' })).toBeTruthy();
    expect(container.querySelector('.confab-avatar')?.getAttribute('src')).toBe('https://x.test/a.png');
    // "End chat" asks first; "Keep chatting" takes the question away, its own "End chat" ends.
    fireEvent.click(screen.getByRole('button', { name: 'End chat' }));
    expect(fake.callsOf('end')).toHaveLength(0);
    fireEvent.click(screen.getByRole('button', { name: 'Keep chatting' }));
    expect(screen.queryByRole('group', { name: 'End this chat?' })).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'End chat' }));
    fireEvent.click(within(screen.getByRole('group', { name: 'End this chat?' })).getByRole('button', { name: 'End chat' }));
    expect(fake.callsOf('end')).toHaveLength(1);
    act(() => void (fake.state.phase.value = 'ended'));
    expect(screen.queryByRole('button', { name: 'End chat' })).toBeNull();
  });

  it('has no "End chat" when the vendor cannot end chats, and never shows an unsafe logo', () => {
    const { container } = renderUi(fakeSession({ phase: 'chatting', logoUrl: 'javascript:alert(1)' }).session, <Header title="Acme" titleId="t" onMinimise={() => undefined} />);
    expect(screen.queryByRole('button', { name: 'End chat' })).toBeNull();
    expect(container.querySelector('img')).toBeNull();
  });
});

describe('connection status', () => {
  it('reports connecting, reconnecting with the attempt, and closed, as a status', () => {
    const fake = fakeSession({ connection: 'connecting' });
    renderUi(fake.session, <StatusBar />);
    expect(screen.getByRole('status').textContent).toBe('Connecting…');
    act(() => {
      fake.state.connection.value = 'reconnecting';
      fake.state.reconnectAttempt.value = 3;
    });
    expect(screen.getByRole('status').textContent).toBe('Reconnecting (attempt 3)…');
    act(() => void (fake.state.connection.value = 'open'));
    expect(screen.getByRole('status').textContent).toBe('');
    act(() => void (fake.state.connection.value = 'closed'));
    expect(screen.getByRole('status').textContent).toBe('Disconnected');
  });

  it('announces the first reconnect attempt, shows the later ones silently, and speaks again once back', () => {
    const fake = fakeSession({ connection: 'open' });
    renderUi(fake.session, <StatusBar />);
    const live = () => screen.getByRole('status').getAttribute('aria-live');
    act(() => {
      fake.state.connection.value = 'reconnecting';
      fake.state.reconnectAttempt.value = 1;
    });
    expect(live()).toBe('polite');
    act(() => void (fake.state.reconnectAttempt.value = 2));
    expect(screen.getByRole('status').textContent).toBe('Reconnecting (attempt 2)…');
    expect(live()).toBe('off');
    act(() => void (fake.state.connection.value = 'closed'));
    expect(live()).toBe('polite');
  });
});

describe('error banner', () => {
  it('is an alert when fatal, a status otherwise, with Retry when retryable', () => {
    const fake = fakeSession({ error: { code: 'x', message: 'Could not start', fatal: false, retryable: true } });
    let retried = 0;
    renderUi(fake.session, <ErrorBanner onRetry={() => retried++} />);
    expect(screen.getByRole('status').textContent).toMatch(/Could not start/);
    fireEvent.click(screen.getByRole('button', { name: 'Retry' }));
    expect(retried).toBe(1);
    act(() => void (fake.state.error.value = { code: 'y', message: 'Server gone', fatal: true }));
    expect(screen.getByRole('alert').textContent).toBe('Server gone');
    expect(screen.queryByRole('button', { name: 'Retry' })).toBeNull();
  });
});

describe('typing indicator', () => {
  it('names the typing agent and stays out of the live region', () => {
    const fake = fakeSession({ agent: { name: 'Alex Morgan', isBot: false }, agentTyping: true });
    renderUi(fake.session, <TypingIndicator />);
    expect(screen.getByText('Alex Morgan is typing…').closest('[aria-live]')).toBeNull();
    act(() => void (fake.state.agentTyping.value = false));
    expect(screen.queryByText(/typing/)).toBeNull();
  });
});

describe('live region', () => {
  function Harness({ session, announce }: { session: ReturnType<typeof fakeSession>['session']; announce(t: string): void }) {
    useSessionAnnouncements(session, announce);
    return null;
  }

  it('announces new agent lines once, joins/leaves, queue moves and the end — not history, not typing', () => {
    const fake = fakeSession({ transcript: [{ id: 'old', at: 0, kind: 'message', sender: 'agent', authorName: 'Alex Morgan', text: 'Old news' }] });
    const announcer = createAnnouncer();
    render(
      <Ui.Provider value={{ session: fake.session, locale: 'en', announce: announcer.announce }}>
        <Harness session={fake.session} announce={announcer.announce} />
        <LiveRegion lines={announcer.lines} />
      </Ui.Provider>,
    );
    const region = document.querySelector('[aria-live="polite"]') as HTMLElement;
    expect(region.textContent).toBe('');
    const line = { id: 'n1', at: 1, kind: 'message' as const, sender: 'agent' as const, authorName: 'Alex Morgan', text: 'How can I help?' };
    act(() => void (fake.state.agent.value = { name: 'Alex Morgan', isBot: false }));
    act(() => void (fake.state.transcript.value = [...fake.state.transcript.value, line]));
    act(() => void (fake.state.transcript.value = [...fake.state.transcript.value, { id: 'v', at: 2, kind: 'message', sender: 'visitor', text: 'Mine' }]));
    act(() => void (fake.state.agentTyping.value = true));
    act(() => void (fake.state.wait.value = { position: 4 }));
    act(() => void (fake.state.phase.value = 'ended'));
    const texts = Array.from(region.querySelectorAll('p')).map((p) => p.textContent);
    expect(texts).toEqual(['Alex Morgan: How can I help?', 'You are number 4 in the queue', 'The chat has ended']);
    announcer.dispose();
  });

  it('announces an agent joining and leaving', () => {
    const fake = fakeSession();
    const heard: string[] = [];
    render(<Harness session={fake.session} announce={(t) => heard.push(t)} />);
    act(() => void (fake.state.agent.value = { name: 'Sam', isBot: false }));
    act(() => void (fake.state.agent.value = null));
    expect(heard).toEqual(['Sam joined the chat', 'Sam left the chat']);
  });
});
