// @vitest-environment happy-dom
import { act, cleanup, fireEvent, screen } from '@testing-library/preact';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadExtras } from '../../src/ui/extras';
import { Composer } from '../../src/ui/composer';
import { baseConfig, fakeSession } from './fake-session';
import { renderUi } from './render-ui';

afterEach(cleanup);

function setup(init: Parameters<typeof fakeSession>[0] = {}) {
  const fake = fakeSession({ phase: 'chatting', ...init });
  const r = renderUi(fake.session, <Composer />);
  return { ...fake, ...r, box: screen.getByRole('textbox', { name: 'Message' }) as HTMLTextAreaElement };
}

const file = (name: string, type = '', size = 10) => new File(['x'.repeat(size)], name, { type });

// The file picker, emoji button and end question come in the extras chunk (fetched as the window opens).
beforeAll(loadExtras);

describe('composer', () => {
  it('sends with Enter and clears the box; Shift+Enter does not send', () => {
    const { box, callsOf } = setup();
    fireEvent.input(box, { target: { value: 'Hello there' } });
    fireEvent.keyDown(box, { key: 'Enter', shiftKey: true });
    expect(callsOf('send')).toHaveLength(0);
    fireEvent.keyDown(box, { key: 'Enter' });
    expect(callsOf('send')).toEqual([['Hello there']]);
    expect(box.value).toBe('');
  });

  it('sends with the "Send" button and reports every change to composing()', () => {
    const { box, callsOf } = setup();
    fireEvent.input(box, { target: { value: 'Hi' } });
    fireEvent.click(screen.getByRole('button', { name: 'Send' }));
    expect(callsOf('send')).toEqual([['Hi']]);
    expect(callsOf('composing')).toEqual([['Hi'], ['']]);
  });

  it('does not send blank text', () => {
    const { box, callsOf } = setup();
    fireEvent.input(box, { target: { value: '   ' } });
    fireEvent.keyDown(box, { key: 'Enter' });
    expect(callsOf('send')).toHaveLength(0);
  });

  it('limits length to maxMessageLength and shows a counter near the limit', () => {
    const { box } = setup({ maxMessageLength: 100 });
    expect(box.getAttribute('maxlength')).toBe('100');
    fireEvent.input(box, { target: { value: 'x'.repeat(10) } });
    expect(screen.queryByText(/characters left/)).toBeNull();
    fireEvent.input(box, { target: { value: 'x'.repeat(85) } });
    expect(screen.getByText('15 characters left')).toBeTruthy();
  });

  it('is disabled with a reason before the chat starts and after it ends', () => {
    const { box, state } = setup({ phase: 'starting' });
    expect(box.disabled).toBe(true);
    expect(document.getElementById(box.getAttribute('aria-describedby') ?? '')?.textContent).toMatch(/once the chat has started/);
    act(() => void (state.phase.value = 'ended'));
    expect(box.disabled).toBe(true);
    expect(screen.getByText('This chat has ended.')).toBeTruthy();
    act(() => void (state.phase.value = 'waiting'));
    expect(box.disabled).toBe(false);
  });

  it('offers "Attach file" only when the vendor takes files, with accept from the extensions', () => {
    setup({ capabilities: new Set(['file']), config: baseConfig({ allowedFileTypes: [] }) });
    expect(screen.queryByRole('button', { name: 'Attach file' })).toBeNull();
    cleanup();
    setup({ capabilities: new Set(['file']), config: baseConfig({ allowedFileTypes: ['pdf', 'png'] }) });
    expect(screen.getByRole('button', { name: 'Attach file' })).toBeTruthy();
    expect(screen.getByTestId('file-input').getAttribute('accept')).toBe('.pdf,.png');
  });

  it('offers "Attach file" while the agent asks for a file', () => {
    setup({ fileRequest: ['jpg'] });
    expect(screen.getByTestId('file-input').getAttribute('accept')).toBe('.jpg');
  });

  it('refuses a file of the wrong type visibly and aloud, before any upload', () => {
    const { callsOf, announced } = setup({ capabilities: new Set(['file']), config: baseConfig({ allowedFileTypes: ['pdf'] }) });
    fireEvent.change(screen.getByTestId('file-input'), { target: { files: [file('virus.exe')] } });
    expect(callsOf('sendFile')).toHaveLength(0);
    expect(screen.getByText(/"virus.exe" can’t be sent/)).toBeTruthy();
    expect(announced.join()).toMatch(/virus.exe/);
    fireEvent.change(screen.getByTestId('file-input'), { target: { files: [file('Report.PDF', 'application/pdf')] } });
    expect(callsOf('sendFile').map(([f]) => (f as File).name)).toEqual(['Report.PDF']);
  });

  it('refuses a file over the size limit', () => {
    const { callsOf } = setup({ capabilities: new Set(['file']), config: baseConfig({ allowedFileTypes: ['pdf'], maxFileBytes: 5 }) });
    fireEvent.change(screen.getByTestId('file-input'), { target: { files: [file('big.pdf', 'application/pdf', 50)] } });
    expect(callsOf('sendFile')).toHaveLength(0);
    expect(screen.getByText(/too large/)).toBeTruthy();
  });

  it('offers "Ask for a rating" while chatting when the vendor and policy allow it', () => {
    const { callsOf } = setup({ capabilities: new Set(['ask-rating']), ratingPolicy: { autoAtEnd: false, agentMaySend: true, visitorMayAsk: true } });
    fireEvent.click(screen.getByRole('button', { name: 'Ask for a rating' }));
    expect(callsOf('askRating')).toHaveLength(1);
    cleanup();
    setup({ capabilities: new Set(['ask-rating']), ratingPolicy: { autoAtEnd: false, agentMaySend: true, visitorMayAsk: false } });
    expect(screen.queryByRole('button', { name: 'Ask for a rating' })).toBeNull();
  });
});
