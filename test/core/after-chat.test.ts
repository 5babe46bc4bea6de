import { describe, expect, it } from 'vitest';
import { afterChatReach } from '../../src/core/after-chat';

describe('after-chat reach (issue 25 item 3)', () => {
  it('a chat from before the transport is held only by a transport that can resume it; one it accepts is always held', () => {
    const reach = afterChatReach();
    reach.transport(new Set(['postchat']), false);
    expect(reach.possible.value).toBe(true);
    reach.transport(new Set(['postchat']), true); // restored after a reload, no resume (WhosOn)
    expect(reach.possible.value).toBe(false);
    reach.accepted(); // a new chat of its own
    expect(reach.possible.value).toBe(true);
    reach.transport(new Set(['postchat', 'resume']), true);
    expect(reach.possible.value).toBe(true);
  });
});
