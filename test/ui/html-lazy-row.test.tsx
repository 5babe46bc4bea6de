// @vitest-environment happy-dom
/**
 * A line rendered before the sanitizer chunk arrived is formatted once it does, although its
 * row never re-renders (rows are memoized by item). Its own file: the sanitizer, once loaded,
 * stays loaded for the module's life. DOMPurify is a pass-through, as in html-lazy.test.tsx.
 */
import { cleanup, screen, waitFor } from '@testing-library/preact';
import { afterEach, expect, it, vi } from 'vitest';
import { MessageList } from '../../src/ui/message-list';
import { fakeSession } from './fake-session';
import { renderUi } from './render-ui';

vi.mock('dompurify', () => ({ default: () => ({ sanitize: (html: string) => html }) }));

afterEach(cleanup);

it('a line in the log shows its words at once and gets its formatting when the sanitizer arrives', async () => {
  const line = { id: 'm1', at: 0, kind: 'message' as const, sender: 'agent' as const, authorName: 'Alex', html: '<u>Read</u> <b>this</b>' };
  renderUi(fakeSession({ transcript: [line] }).session, <MessageList />);
  const log = screen.getByRole('log', { name: 'Messages' });
  expect(log.querySelector('u, b')).toBeNull();
  expect(log.textContent).toContain('Read this');
  await waitFor(() => expect(log.querySelector('b')?.textContent).toBe('this'));
  expect(log.textContent?.match(/Read this/g)).toHaveLength(1);
});
