// @vitest-environment happy-dom
/**
 * The two contract events every vendor can use: a line updated in place (a streamed answer,
 * an edit) and a line withdrawn. The session changes or removes the line where it stands,
 * and the live region announces a growing line once, when it is finished.
 */
import { act, cleanup, render } from '@testing-library/preact';
import { afterEach, describe, expect, it } from 'vitest';
import type { MessageItem, Session } from '../../src/core/session-api';
import { useSessionAnnouncements } from '../../src/ui/live-region';
import { chatting, harness, settle } from '../core/harness';

afterEach(cleanup);

function Announcements({ session, announce }: { session: Session; announce: (text: string) => void }) {
  useSessionAnnouncements(session, announce);
  return null;
}

const lines = (session: Session) =>
  session.transcript.value.filter((i): i is MessageItem => i.kind === 'message').map((i) => [i.id, i.text ?? i.html, !!i.partial]);

describe('message-updated and message-withdrawn', () => {
  it('a streamed answer grows in place and is announced (and emitted) once, when finished', async () => {
    const h = harness();
    await chatting(h);
    const announced: string[] = [];
    const emitted: string[] = [];
    h.session.on('message', (m) => emitted.push(m.text));
    render(<Announcements session={h.session} announce={(t) => announced.push(t)} />);
    act(() => {
      h.transport.emit({ type: 'message', message: { id: 's1', sender: 'bot', authorName: 'Bot', text: 'Your', partial: true } });
      h.transport.emit({ type: 'message', message: { id: 'after', sender: 'agent', text: 'Another line' } });
    });
    act(() => h.transport.emit({ type: 'message-updated', message: { id: 's1', sender: 'bot', text: 'Your order', partial: true } }));
    expect(lines(h.session).slice(-2)).toEqual([
      ['s1', 'Your order', true],
      ['after', 'Another line', false],
    ]);
    expect(announced).toEqual(['Alex Morgan: Another line']);
    act(() => h.transport.emit({ type: 'message-updated', message: { id: 's1', sender: 'bot', text: 'Your order shipped.' } }));
    act(() => h.transport.emit({ type: 'message-updated', message: { id: 's1', sender: 'bot', text: 'Your order shipped.' } }));
    expect(lines(h.session).slice(-2)[0]).toEqual(['s1', 'Your order shipped.', false]);
    expect(announced).toEqual(['Alex Morgan: Another line', 'Bot: Your order shipped.']);
    expect(emitted.filter((t) => t.startsWith('Your'))).toEqual(['Your order shipped.']);
  });

  it('an update for a line never seen is that line; a withdrawn line goes and stays out', async () => {
    const h = harness();
    await chatting(h);
    h.transport.emit({ type: 'message-updated', message: { id: 'u1', sender: 'agent', text: 'Edited first' } });
    h.transport.emit({ type: 'message', message: { id: 'w1', sender: 'agent', text: 'Oops, wrong chat' } });
    h.transport.emit({ type: 'card', id: 'c1', sender: 'agent', card: { title: 'A card' } });
    h.transport.emit({ type: 'branch', branch: { id: 'b1', header: 'Pick', options: [{ id: 'x', label: 'x' }] } });
    const before = h.session.transcript.value.length;
    h.transport.emit({ type: 'message-withdrawn', id: 'w1' });
    h.transport.emit({ type: 'message-withdrawn', id: 'c1' });
    h.transport.emit({ type: 'message-withdrawn', id: 'b1' });
    const ids = h.session.transcript.value.map((i) => i.id);
    expect(ids).not.toContain('w1');
    expect(ids).not.toContain('card:c1');
    expect(ids).not.toContain('branch:b1');
    expect(ids).toContain('u1');
    expect(h.session.transcript.value.length).toBe(before - 3);
    // A copy arriving later (a history page) stays out; an update to it changes nothing.
    h.transport.emit({ type: 'message', message: { id: 'w1', sender: 'agent', text: 'Oops, wrong chat' } });
    h.transport.emit({ type: 'message-updated', message: { id: 'w1', sender: 'agent', text: 'Oops again' } });
    h.transport.emit({ type: 'card', id: 'c1', sender: 'agent', card: { title: 'A card' } });
    expect(h.session.transcript.value.map((i) => i.id)).toEqual(ids);
    // The next line lands after the others, and its own update finds it.
    h.transport.emit({ type: 'message', message: { id: 'n1', sender: 'agent', text: 'Next' } });
    h.transport.emit({ type: 'message-updated', message: { id: 'n1', sender: 'agent', html: '<b>Next</b>' } });
    const last = h.session.transcript.value.at(-1) as MessageItem;
    expect([last.id, last.text, last.html]).toEqual(['n1', undefined, '<b>Next</b>']);
  });

  it('a line withdrawn while it grows is never announced', async () => {
    const h = harness();
    await chatting(h);
    const announced: string[] = [];
    render(<Announcements session={h.session} announce={(t) => announced.push(t)} />);
    act(() => h.transport.emit({ type: 'message', message: { id: 's2', sender: 'bot', text: 'Thinking', partial: true } }));
    act(() => h.transport.emit({ type: 'message-withdrawn', id: 's2' }));
    act(() => h.transport.emit({ type: 'message-updated', message: { id: 's2', sender: 'bot', text: 'Done' } }));
    act(() => h.transport.emit({ type: 'message', message: { id: 'z', sender: 'agent', text: 'Hello' } }));
    expect(announced).toEqual(['Alex Morgan: Hello']);
  });

  it('a line still growing when the page was left is finished by its copy on the next page', async () => {
    const h = harness();
    await chatting(h);
    h.transport.emit({ type: 'message', message: { id: 's3', sender: 'bot', text: 'Half', partial: true } });
    h.session.destroy(); // writes the snapshot, as leaving the page does
    const next = harness({ storage: h.storage });
    await settle();
    expect(lines(next.session).at(-1)).toEqual(['s3', 'Half', true]);
    // The vendor's history replays the line, whole now.
    next.transport.emit({ type: 'connection', state: 'open' });
    next.transport.emit({ type: 'message', message: { id: 's3', sender: 'bot', text: 'Half done, whole' } });
    expect(lines(next.session).filter(([id]) => id === 's3')).toEqual([['s3', 'Half done, whole', false]]);
  });
});
