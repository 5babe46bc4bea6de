// @vitest-environment happy-dom
import { act, cleanup, fireEvent, screen, within } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { MessageItem, TranscriptItem } from '../../src/core/session-api';
import { MessageList, PAGE, Row, WINDOW } from '../../src/ui/message-list';
import { chatting, harness } from '../core/harness';
import { fakeSession } from './fake-session';
import { renderUi } from './render-ui';

afterEach(cleanup);

const at = Date.UTC(2030, 0, 1, 14, 5);
const msg = (id: string, over: Partial<MessageItem> = {}): MessageItem => ({ id, at, kind: 'message', sender: 'agent', authorName: 'Alex Morgan', text: 'Hello', ...over });

function setup(transcript: TranscriptItem[]) {
  const fake = fakeSession({ transcript, agent: { name: 'Alex Morgan', isBot: false } });
  const r = renderUi(fake.session, <MessageList />);
  return { ...fake, ...r, log: screen.getByRole('log', { name: 'Messages' }) };
}

describe('message list', () => {
  it('is a log named "Messages" showing each line with its author and time', () => {
    const { log } = setup([msg('1'), msg('2', { sender: 'visitor', authorName: undefined, text: 'Hi', status: 'sent' }), msg('3', { sender: 'bot', authorName: undefined, text: 'Beep' })]);
    const rows = within(log).getAllByText(/Hello|Hi|Beep/);
    expect(rows.map((r) => r.textContent)).toEqual(['Hello', 'Hi', 'Beep']);
    expect(within(log).getByText('Alex Morgan')).toBeTruthy();
    expect(within(log).getByText('You')).toBeTruthy();
    expect(within(log).getByText('Bot')).toBeTruthy();
    expect(log.querySelector('time')?.getAttribute('datetime')).toBe(new Date(at).toISOString());
  });

  it('renders vendor HTML through the sanitizer and plain text as text with safe links', () => {
    const { log } = setup([
      msg('1', { text: undefined, html: '<p>Look</p><img src=x onerror="alert(1)"><script>alert(1)</script>' }),
      msg('2', { text: 'Go to https://acme.test/help or <b>javascript:alert(1)</b>' }),
    ]);
    expect(log.querySelector('script, [onerror]')).toBeNull();
    expect(within(log).getByText(/Look/)).toBeTruthy();
    expect(within(log).getByRole('link').getAttribute('href')).toBe('https://acme.test/help');
    expect(log.querySelector('b')).toBeNull();
  });

  it('shows attachments by kind, only for safe URLs', () => {
    const { log } = setup([
      msg('1', {
        text: undefined,
        attachments: [
          { name: 'photo.png', url: 'https://cdn.test/photo.png', kind: 'image' },
          { name: 'clip.mp3', url: 'https://cdn.test/clip.mp3', kind: 'audio' },
          { name: 'movie.mp4', url: 'https://cdn.test/movie.mp4', kind: 'video' },
          { name: 'doc.pdf', url: 'https://cdn.test/doc.pdf', kind: 'file' },
          { name: 'evil.pdf', url: 'javascript:alert(1)', kind: 'file' },
          { name: 'evil.png', url: 'data:text/html;base64,PHNjcmlwdD4=', kind: 'image' },
        ],
      }),
    ]);
    expect(within(log).getByRole('img', { name: 'photo.png' }).getAttribute('src')).toBe('https://cdn.test/photo.png');
    expect(log.querySelector('audio')?.getAttribute('src')).toBe('https://cdn.test/clip.mp3');
    expect(log.querySelector('video')?.getAttribute('src')).toBe('https://cdn.test/movie.mp4');
    expect(within(log).getByRole('link', { name: 'doc.pdf' }).getAttribute('href')).toBe('https://cdn.test/doc.pdf');
    expect(within(log).getByText('evil.pdf').closest('a')).toBeNull();
    expect(within(log).getByText('evil.png').closest('a')).toBeNull();
    expect(within(log).queryByRole('img', { name: 'evil.png' })).toBeNull();
  });

  it('shows a document as its thumbnail when one is sent, linking to the document; an unsafe thumbnail is ignored', () => {
    const { log } = setup([
      msg('1', {
        text: undefined,
        attachments: [
          { name: 'report.docx', url: 'https://cdn.test/report.docx', kind: 'file', thumbnailUrl: 'https://cdn.test/report.png' },
          { name: 'plan.pdf', url: 'https://cdn.test/plan.pdf', kind: 'file', thumbnailUrl: 'javascript:alert(1)' },
        ],
      }),
    ]);
    const thumb = within(log).getByRole('img', { name: 'report.docx' });
    expect(thumb.getAttribute('src')).toBe('https://cdn.test/report.png');
    expect(thumb.closest('a')?.getAttribute('href')).toBe('https://cdn.test/report.docx');
    expect(within(log).getByRole('link', { name: 'plan.pdf' }).querySelector('img')).toBeNull();
  });

  it('shows delivery status on visitor lines and retries a failed one', () => {
    const { callsOf } = setup([
      msg('1', { sender: 'visitor', text: 'a', status: 'sending', clientId: 'c1' }),
      msg('2', { sender: 'visitor', text: 'b', status: 'sent', clientId: 'c2' }),
      msg('3', { sender: 'visitor', text: 'c', status: 'failed', clientId: 'c3' }),
    ]);
    expect(screen.getByText('Sending…')).toBeTruthy();
    expect(screen.getByText('Sent')).toBeTruthy();
    expect(screen.getByText(/Not delivered/)).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Retry' }));
    expect(callsOf('retry')).toEqual([['c3']]);
  });

  it('shows translations under the line and notices', () => {
    setup([msg('1', { text: 'Hola', translations: ['Hello'] }), { id: 'n', at, kind: 'notice', text: 'Alex Morgan joined the chat' }]);
    expect(screen.getByText('Hello').closest('.confab-translation')).toBeTruthy();
    expect(screen.getByText('Alex Morgan joined the chat')).toBeTruthy();
  });

  it('renders only the new row when a message arrives', () => {
    const items = [msg('1'), msg('2', { text: 'Second' })];
    const { state, log } = setup(items);
    const first = within(log).getByText('Hello');
    const renders = vi.spyOn(Row.prototype, 'render');
    act(() => void (state.transcript.value = [...items, msg('3', { text: 'Third' })]));
    expect(renders).toHaveBeenCalledOnce();
    renders.mockRestore();
    expect(within(log).getByText('Third')).toBeTruthy();
    expect(within(log).getByText('Hello')).toBe(first);
  });
});

describe('message list with a long history', () => {
  const many = (count: number): MessageItem[] => Array.from({ length: count }, (_, i) => msg(`m${i}`, { text: `Line ${i}` }));
  const rowsIn = (log: HTMLElement) => log.querySelectorAll('.confab-row');

  it('renders a bounded window of the newest rows, and one row when a line arrives after 5,000', () => {
    const items = many(5000);
    const { state, log } = setup(items);
    expect(rowsIn(log).length).toBe(WINDOW);
    expect(within(log).getByText('Line 4999')).toBeTruthy();
    expect(within(log).queryByText('Line 0')).toBeNull();
    const renders = vi.spyOn(Row.prototype, 'render');
    act(() => void (state.transcript.value = [...items, msg('new', { text: 'Fresh' })]));
    expect(renders).toHaveBeenCalledOnce();
    renders.mockRestore();
    expect(rowsIn(log).length).toBe(WINDOW);
    expect(log.lastElementChild?.textContent).toContain('Fresh');
  });

  it('lets a keyboard user bring earlier messages into the log, a page at a time, until all are shown', () => {
    const { log } = setup(many(WINDOW + PAGE + 10));
    const earlier = within(log).getByRole('button', { name: 'Show earlier messages' });
    earlier.focus();
    fireEvent.click(earlier);
    expect(rowsIn(log).length).toBe(WINDOW + PAGE);
    expect(within(log).queryByText('Line 9')).toBeNull();
    fireEvent.click(within(log).getByRole('button', { name: 'Show earlier messages' }));
    expect(rowsIn(log).length).toBe(WINDOW + PAGE + 10);
    expect(within(log).getByText('Line 0')).toBeTruthy();
    expect(within(log).queryByRole('button', { name: 'Show earlier messages' })).toBeNull();
    expect(log.ownerDocument.activeElement).toBe(log);
  });

  it('keeps earlier rows the visitor brought in while new lines arrive', () => {
    const items = many(WINDOW + 50);
    const { state, log } = setup(items);
    Object.defineProperty(log, 'scrollHeight', { value: 5000, configurable: true });
    Object.defineProperty(log, 'clientHeight', { value: 300, configurable: true });
    const more = [...items, msg('a1', { text: 'Another' })];
    act(() => void (state.transcript.value = more));
    // A late scroll event from the log's own move to the bottom keeps it following.
    fireEvent.scroll(log);
    // The visitor reads back, then asks for the earliest lines.
    log.scrollTop = 1000;
    fireEvent.scroll(log);
    fireEvent.click(within(log).getByRole('button', { name: 'Show earlier messages' }));
    act(() => void (state.transcript.value = [...more, msg('new', { text: 'Fresh' })]));
    expect(within(log).getByText('Line 0')).toBeTruthy();
    expect(within(log).getByText('Fresh')).toBeTruthy();
  });

  it('keeps following the newest lines when scroll events arrive late', () => {
    let items = many(WINDOW);
    const { state, log } = setup(items);
    Object.defineProperty(log, 'clientHeight', { value: 300, configurable: true });
    // As in a browser, scrollTop stops at the bottom (scrollHeight - clientHeight).
    let top = 0;
    Object.defineProperty(log, 'scrollTop', {
      configurable: true,
      get: () => top,
      set: (v: number) => void (top = Math.max(0, Math.min(v, log.scrollHeight - log.clientHeight))),
    });
    for (let i = 0; i < 30; i++) {
      Object.defineProperty(log, 'scrollHeight', { value: 5000 + i * 50, configurable: true });
      items = [...items, msg(`x${i}`, { text: `Extra ${i}` })];
      act(() => void (state.transcript.value = items));
      // The log has grown again since: the event reports a position short of the new bottom.
      Object.defineProperty(log, 'scrollHeight', { value: 5400 + i * 50, configurable: true });
      fireEvent.scroll(log);
    }
    expect(rowsIn(log).length).toBe(WINDOW);
    expect(log.lastElementChild?.textContent).toContain('Extra 29');
  });

  it('follows a real session whose transcript grows in place', async () => {
    const h = harness();
    await chatting(h);
    for (let i = 0; i < 2000; i++) h.transport.emit({ type: 'message', message: { id: `r${i}`, sender: 'agent', text: `Real ${i}` } });
    renderUi(h.session, <MessageList />);
    const log = screen.getByRole('log', { name: 'Messages' });
    expect(rowsIn(log).length).toBe(WINDOW);
    const renders = vi.spyOn(Row.prototype, 'render');
    act(() => h.transport.emit({ type: 'message', message: { id: 'r-last', sender: 'agent', text: 'Newest' } }));
    expect(renders).toHaveBeenCalledOnce();
    renders.mockRestore();
    expect(within(log).getByText('Newest')).toBeTruthy();
    expect(rowsIn(log).length).toBe(WINDOW);
  });
});
