// @vitest-environment happy-dom
import { act, cleanup, render } from '@testing-library/preact';
import { afterEach, describe, expect, it } from 'vitest';
import type { Session } from '../../src/core/session-api';
import { useSessionAnnouncements } from '../../src/ui/live-region';
import { chatting, harness } from '../core/harness';

afterEach(cleanup);

function Announcements({ session, announce }: { session: Session; announce: (text: string) => void }) {
  useSessionAnnouncements(session, announce);
  return null;
}

describe('announcements in a long chat', () => {
  it('announces each new incoming line once, and none of the 5,000 before them', async () => {
    const h = harness();
    await chatting(h);
    for (let i = 0; i < 5000; i++) h.transport.emit({ type: 'message', message: { id: `m${i}`, sender: 'agent', text: `Line ${i}` } });
    const announced: string[] = [];
    render(<Announcements session={h.session} announce={(t) => announced.push(t)} />);
    act(() => {
      h.transport.emit({ type: 'message', message: { id: 'new1', sender: 'agent', text: 'First news' } });
      h.transport.emit({ type: 'message', message: { id: 'new2', sender: 'agent', text: 'Second news' } });
    });
    act(() => h.transport.emit({ type: 'message', message: { id: 'm7', sender: 'agent', text: 'Line 7 again' } }));
    expect(announced).toEqual(['Alex Morgan: First news', 'Alex Morgan: Second news']);
  });
});
