// @vitest-environment happy-dom
import { batch } from '@preact/signals-core';
import { act, cleanup, fireEvent, render, screen } from '@testing-library/preact';
import { afterEach, describe, expect, it } from 'vitest';
import type { FormItem as FormT, Session } from '../../src/core/session-api';
import { ConsentView } from '../../src/ui/consent-view';
import { EndedView } from '../../src/ui/ended-view';
import { FormItem } from '../../src/ui/form-item';
import { useSessionAnnouncements } from '../../src/ui/live-region';
import { OfflineView } from '../../src/ui/offline-view';
import { WaitScreen } from '../../src/ui/wait-screen';
import { baseConfig, fakeSession } from './fake-session';
import { renderUi } from './render-ui';

afterEach(cleanup);

const form = (header: string, label: string, submitted?: string): FormT => ({
  id: 'f1',
  at: 0,
  kind: 'form',
  form: { id: 'p1', header, field: { name: 'order', type: 'text', label, required: true }, submitted },
});

describe('agent-requested field', () => {
  it('cannot be answered once the chat has ended', () => {
    const fake = fakeSession({ phase: 'chatting' });
    renderUi(fake.session, <FormItem item={form('We need your order number', 'Order number')} />);
    const box = screen.getByRole('textbox', { name: /Order number/ }) as HTMLInputElement;
    expect(box.disabled).toBe(false);
    act(() => void (fake.state.phase.value = 'ended'));
    expect(box.disabled).toBe(true);
    expect((screen.getByRole('button', { name: 'Submit' }) as HTMLButtonElement).disabled).toBe(true);
    fireEvent.input(box, { target: { value: '12345' } });
    fireEvent.submit(box.form!);
    expect(fake.callsOf('submitForm')).toEqual([]);
  });

  it('is usable while waiting for an agent', () => {
    renderUi(fakeSession({ phase: 'waiting' }).session, <FormItem item={form('Order?', 'Order number')} />);
    expect((screen.getByRole('textbox', { name: /Order number/ }) as HTMLInputElement).disabled).toBe(false);
  });

  it('does not repeat a header equal to the label (WhosOn, Tencent) and adds no second colon', () => {
    const fake = fakeSession();
    const { container } = renderUi(fake.session, <FormItem item={form('Please enter the order number:', 'Please enter the order number:')} />);
    expect(container.querySelector('.confab-prompt')).toBeNull();
    fireEvent.input(screen.getByRole('textbox', { name: /Please enter the order number/ }), { target: { value: '12345' } });
    fireEvent.click(screen.getByRole('button', { name: 'Submit' }));
    expect(fake.callsOf('submitForm')).toEqual([['p1', '12345']]);
    expect(container.querySelector('.confab-prompt')).toBeNull();
    expect(container.querySelector('.confab-answer')!.textContent).toBe('Please enter the order number: 12345');
  });

  it('keeps a distinct header and gives a bare label its colon', () => {
    const { container } = renderUi(fakeSession().session, <FormItem item={form('We need your order number', 'Order number', '12345')} />);
    expect(container.querySelector('.confab-prompt')!.textContent).toBe('We need your order number');
    expect(container.querySelector('.confab-answer')!.textContent).toBe('Order number: 12345');
    cleanup();
    const other = renderUi(fakeSession().session, <FormItem item={form('', 'Your email?', 'a@b.c')} />);
    expect(other.container.querySelector('.confab-answer')!.textContent).toBe('Your email? a@b.c');
  });

  it('lets vendor text find its own direction (dir=auto)', () => {
    const { container } = renderUi(fakeSession().session, <FormItem item={form('We need your order number', 'Order number', '12345')} />);
    expect(container.querySelector('.confab-prompt')!.getAttribute('dir')).toBe('auto');
    expect(container.querySelector('.confab-answer span')!.getAttribute('dir')).toBe('auto');
    expect(container.querySelector('.confab-answer strong')!.getAttribute('dir')).toBe('auto');
  });
});

describe('offline view', () => {
  it('offers "Start a new chat" so the visitor can try again later', () => {
    const fake = fakeSession({ phase: 'offline', offline: { reason: 'Nobody is available.', leaveMessage: false } });
    renderUi(fake.session, <OfflineView />);
    expect(screen.getByText('Nobody is available.').getAttribute('dir')).toBe('auto');
    fireEvent.click(screen.getByRole('button', { name: 'Start a new chat' }));
    expect(fake.callsOf('newChat')).toHaveLength(1);
  });

  it('offers it beside the leave-a-message form too', () => {
    const fake = fakeSession({ phase: 'offline', offline: { reason: 'Closed', leaveMessage: true } });
    renderUi(fake.session, <OfflineView />);
    expect(screen.getByRole('button', { name: 'Send message' })).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Start a new chat' }));
    expect(fake.callsOf('newChat')).toHaveLength(1);
  });
});

describe('wait screen and ended view', () => {
  it('has no status role of its own: the live region is the one announcer of the queue', () => {
    renderUi(fakeSession({ phase: 'waiting', wait: { text: 'Paging an agent', position: 2 } }).session, <WaitScreen />);
    expect(screen.getByText('You are number 2 in the queue')).toBeTruthy();
    expect(screen.queryByRole('status')).toBeNull();
    expect(screen.getByText('Paging an agent').getAttribute('dir')).toBe('auto');
  });

  it('lets the closing text find its own direction', () => {
    renderUi(fakeSession({ phase: 'ended', config: baseConfig({ closingText: 'Bye now' }) }).session, <EndedView />);
    expect(screen.getByText('Bye now').getAttribute('dir')).toBe('auto');
  });
});

describe('live announcements on "Start a new chat"', () => {
  function Harness({ session, announce }: { session: Session; announce(t: string): void }) {
    useSessionAnnouncements(session, announce);
    return null;
  }

  it('says nothing about the agent leaving when the chat is reset', () => {
    const fake = fakeSession({ phase: 'ended', agent: { name: 'Sam', isBot: false } });
    const heard: string[] = [];
    render(<Harness session={fake.session} announce={(t) => heard.push(t)} />);
    // What session.newChat() does: the per-chat state and the phase in one batch.
    act(() =>
      batch(() => {
        fake.state.agent.value = null;
        fake.state.phase.value = 'closed';
      }),
    );
    expect(heard).toEqual([]);
  });

  it('still announces an agent leaving a running chat', () => {
    const fake = fakeSession({ phase: 'chatting', agent: { name: 'Sam', isBot: false } });
    const heard: string[] = [];
    render(<Harness session={fake.session} announce={(t) => heard.push(t)} />);
    act(() => void (fake.state.agent.value = null));
    expect(heard).toEqual(['Sam left the chat']);
  });
});

describe('consent step', () => {
  it('hands focus back to the launcher after "No thanks", as Escape and Minimise do', () => {
    const fake = fakeSession({ phase: 'closed', consentPending: true });
    const order: string[] = [];
    const launcher = document.createElement('button');
    document.body.append(launcher);
    renderUi(
      fake.session,
      <ConsentView
        text="We use Acme Chat."
        focusLauncher={() => {
          order.push(`focus after ${fake.callsOf('consent').length} consent call(s)`);
          launcher.focus();
        }}
      />,
    );
    expect(screen.getByText('We use Acme Chat.').getAttribute('dir')).toBe('auto');
    fireEvent.click(screen.getByRole('button', { name: 'No thanks' }));
    expect(fake.callsOf('consent')).toEqual([[false]]);
    expect(order).toEqual(['focus after 1 consent call(s)']);
    expect(document.activeElement).toBe(launcher);
    launcher.remove();
  });

  it('does not move focus on accept', () => {
    const fake = fakeSession({ phase: 'closed', consentPending: true });
    let focused = 0;
    renderUi(fake.session, <ConsentView focusLauncher={() => focused++} />);
    fireEvent.click(screen.getByRole('button', { name: /Accept|Continue|Start/ }));
    expect(fake.callsOf('consent')).toEqual([[true]]);
    expect(focused).toBe(0);
  });
});
