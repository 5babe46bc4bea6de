import { describe, expect, it } from 'vitest';
import { closeEarlierChat } from '../../src/core/earlier-chat';
import { en } from '../../src/core/i18n';
import type { TranscriptItem } from '../../src/core/session-api';

const menu: TranscriptItem = { kind: 'branch', id: 'branch:m', at: 1, branch: { id: 'm', header: 'How can we help?', options: [{ id: 'a', label: 'A' }] } };
const line: TranscriptItem = { kind: 'message', id: 'x', at: 2, sender: 'agent', text: 'hi' };

describe('closeEarlierChat (issue 25 item 11)', () => {
  it('closes the earlier menus and puts a divider after the earlier lines', () => {
    const out = closeEarlierChat([menu, line], 50)!;
    expect(out).toHaveLength(3);
    expect(out[0]).toMatchObject({ kind: 'branch', closed: true });
    expect(out[1]).toBe(line);
    expect(out[2]).toMatchObject({ kind: 'notice', tone: 'divider', text: en['notice.newChat'], at: 50 });
  });
  it('does nothing for an empty log, notices only, or right after a divider', () => {
    expect(closeEarlierChat([], 1)).toBeNull();
    expect(closeEarlierChat([{ kind: 'notice', id: 'n', at: 1, text: 'Earlier messages are not kept' }], 2)).toBeNull();
    const once = closeEarlierChat([line], 3)!;
    expect(closeEarlierChat(once, 4)).toBeNull();
  });
  it('leaves the input untouched', () => {
    const items = [menu];
    closeEarlierChat(items, 5);
    expect(items[0]).toBe(menu);
    expect(menu).not.toHaveProperty('closed');
  });
});
