import { signal } from '@preact/signals-core';
import { describe, expect, it } from 'vitest';
import type { ChatConfig } from '../../src/core/contract';
import { reachedSomeone } from '../../src/core/reached';
import type { TranscriptItem, WaitState } from '../../src/core/session-api';
import { fileAllowed, fileTypes, mayAskRating } from '../../src/core/visitor-may';

const config = (allowedFileTypes: string[]) => ({ allowedFileTypes }) as unknown as ChatConfig;

describe('what the visitor may do (one rule for the session, the composer and the picker)', () => {
  it('file types: an agent request wins, else the chat list where the vendor takes files', () => {
    expect(fileTypes(['jpg'], config(['pdf']), new Set())).toEqual(['jpg']);
    expect(fileTypes([], config(['pdf']), new Set(['file']))).toEqual(['pdf']);
    expect(fileTypes(null, config(['pdf']), new Set())).toEqual([]);
  });

  it('a file matches by extension or MIME pattern; an empty list allows none', () => {
    expect(fileAllowed('Report.PDF', 'application/pdf', ['.pdf'])).toBe(true);
    expect(fileAllowed('photo.heic', 'image/heic', ['image/*'])).toBe(true);
    expect(fileAllowed('a.png', 'image/png', ['image/jpeg'])).toBe(false);
    expect(fileAllowed('noext', '', ['pdf'])).toBe(false);
    expect(fileAllowed('a.pdf', 'application/pdf', [])).toBe(false);
  });

  it('may ask for a rating only while chatting, with the capability and the policy', () => {
    expect(mayAskRating('chatting', new Set(['ask-rating']), { visitorMayAsk: true } as never)).toBe(true);
    expect(mayAskRating('waiting', new Set(['ask-rating']), { visitorMayAsk: true } as never)).toBe(false);
    expect(mayAskRating('chatting', new Set(), { visitorMayAsk: true } as never)).toBe(false);
  });

  it('reached someone: a wait line, an agent or their line; unknown endings count as reached', () => {
    const s = (endedBy: 'visitor' | null, wait: WaitState = {}, items: TranscriptItem[] = []) => ({
      endedBy: signal(endedBy),
      wait: signal(wait),
      agent: signal(null),
      transcript: signal(items),
    });
    expect(reachedSomeone(s('visitor'))).toBe(false);
    expect(reachedSomeone(s(null))).toBe(true);
    expect(reachedSomeone(s('visitor', { position: 2 }))).toBe(true);
    expect(reachedSomeone(s('visitor', {}, [{ kind: 'message', id: 'a', at: 0, sender: 'bot', text: 'hi' }]))).toBe(true);
  });
});
