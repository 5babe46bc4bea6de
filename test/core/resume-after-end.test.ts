/**
 * Which resume token a new page's transport gets once the chat has ended: only one the
 * transport marked `ended: true` (it describes the chat that is over, e.g. the conversation a
 * transcript is asked for). A live chat's token would make the transport resume a chat that is over.
 */
import { describe, expect, it } from 'vitest';
import type { Json } from '../../src/core/contract';
import { FakeClock, MemoryStorage, chatting, harness, settle } from './harness';

/** A chat that ended on the previous page, after the transport's last word on `resume`. */
async function endedOnPreviousPage(storage: MemoryStorage, clock: FakeClock, afterEnd: Json): Promise<void> {
  const h = harness({ storage, clock });
  await chatting(h);
  h.transport.emit({ type: 'resume', token: { chat: 'abc' } });
  h.session.end();
  h.transport.emit({ type: 'resume', token: afterEnd });
  await settle();
  h.session.destroy();
}

async function nextPageResume(storage: MemoryStorage, clock: FakeClock): Promise<Json | undefined> {
  const h = harness({ storage, clock });
  await settle();
  expect(h.session.phase.value).toBe('ended');
  h.session.open();
  await settle();
  return h.transport.options.resume;
}

describe('the resume token after the chat has ended', () => {
  it('is passed to the next page\'s transport when the transport marked it ended', async () => {
    const storage = new MemoryStorage();
    const clock = new FakeClock();
    await endedOnPreviousPage(storage, clock, { chat: 'abc', ended: true });
    expect(await nextPageResume(storage, clock)).toEqual({ chat: 'abc', ended: true });
  });

  it('is not passed when it is a live chat\'s token the transport left in place', async () => {
    const storage = new MemoryStorage();
    const clock = new FakeClock();
    await endedOnPreviousPage(storage, clock, { chat: 'abc' });
    expect(await nextPageResume(storage, clock)).toBeUndefined();
  });

  it('is not passed to a new chat started after the end', async () => {
    const storage = new MemoryStorage();
    const clock = new FakeClock();
    await endedOnPreviousPage(storage, clock, { chat: 'abc', ended: true });
    const h = harness({ storage, clock });
    h.session.open();
    await settle();
    h.session.newChat();
    await settle();
    expect(h.transport.options.resume).toBeUndefined();
  });
});
