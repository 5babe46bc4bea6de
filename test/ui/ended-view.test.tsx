// @vitest-environment happy-dom
/**
 * The post-chat survey is offered only for a chat that was accepted (WhosOn's document:
 * "if the chat was accepted you should then offer the visitor the option of completing the
 * Post Chat Survey"). A chat cancelled before that has no chat to ask about.
 */
import { readFileSync } from 'node:fs';
import { URL as NodeURL } from 'node:url';
import { act, cleanup, screen } from '@testing-library/preact';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket as WS } from 'ws';
import type { SurveyField } from '../../src/core/contract';
import { createSession } from '../../src/core/session';
import type { Session } from '../../src/core/session-api';
import { createWhosOnTransport, type WebSocketConstructor } from '../../src/transports/whoson/transport';
import { EndedView } from '../../src/ui/ended-view';
import { SCRIPT_OPTIONS, startScriptServer, waitFor, type ScriptServer } from '../whoson/helpers';
import { baseConfig, fakeSession } from './fake-session';
import { renderUi } from './render-ui';

// The helpers' fixtureText builds its URL with the page's URL class, which happy-dom replaces.
const fixtureText = (name: string) => readFileSync(new NodeURL(`../fixtures/whoson/${name}.json`, import.meta.url), 'utf8');
const postchat: SurveyField[] = [{ name: 'q', type: 'rating', label: 'How did we do?', required: true, max: 5 }];
const survey = () => screen.queryByRole('button', { name: 'Send feedback' });

afterEach(cleanup);

describe('ended view: the post-chat survey only after an accepted chat', () => {
  const ended = {
    phase: 'ended' as const,
    endedBy: 'visitor' as const,
    config: baseConfig({ postchat }),
    capabilities: new Set(['transcript-email', 'transcript-pdf'] as const),
  };

  it('a chat that ended before anyone answered it: no survey and no transcript, still a new chat', () => {
    renderUi(fakeSession(ended).session, <EndedView />);
    expect(survey()).toBeNull();
    expect(screen.queryByRole('button', { name: 'Email transcript' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Download transcript' })).toBeNull();
    expect(screen.queryByRole('form', { name: 'Tell us how we did' })).toBeNull();
    expect(screen.getByRole('button', { name: 'Start a new chat' })).toBeTruthy();
  });

  it.each([
    ['the server paged for it', { wait: { kind: 'paging' as const, text: 'Please wait.' } }],
    ['it was queued', { wait: { position: 3 } }],
    ['an agent joined', { agent: { name: 'Alex', isBot: false } }],
    ['a bot answered', { transcript: [{ kind: 'message' as const, id: 'm1', at: 0, sender: 'bot' as const, text: 'Hi' }] }],
  ])('a chat that was accepted (%s): the survey and the transcript are offered', (_why, over) => {
    renderUi(fakeSession({ ...ended, ...over }).session, <EndedView />);
    expect(survey()).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Email transcript' })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Download transcript' })).toBeTruthy();
  });
});

describe('ended view with the real session and WhosOn transport', () => {
  let server: ScriptServer | null = null;
  let session: Session | null = null;
  afterEach(async () => {
    session?.destroy();
    await server?.close();
    session = server = null;
  });

  async function waitingForAnswer(): Promise<{ server: ScriptServer; session: Session }> {
    server = await startScriptServer((s) => s.sendRaw(fixtureText('event-connected')));
    const s = createSession({
      loadTransport: async () => (o) => createWhosOnTransport(o, { WebSocket: WS as unknown as WebSocketConstructor }),
      transportOptions: { options: { server: server.url, ...SCRIPT_OPTIONS }, locale: 'en', pageUrl: '', referrer: '', userAgent: 'UA' },
      storage: null,
      storageKey: 'ended-view',
    });
    session = s;
    s.open();
    await waitFor(() => s.phase.value === 'prechat', 'prechat');
    s.start({ VisitorName: 'Thomas' });
    const srv = server;
    await waitFor(() => srv.received.some((c) => c.Command === 'Hello'), 'Hello');
    return { server: srv, session: s };
  }

  it('Cancel before the server accepted the chat: no survey', async () => {
    const { session } = await waitingForAnswer();
    act(() => session.cancelWaiting());
    expect(session.phase.value).toBe('ended');
    expect(session.config.value?.postchat.length).toBeGreaterThan(0);
    renderUi(session, <EndedView />);
    expect(survey()).toBeNull();
  });

  it('Cancel after accepted (still waiting for an operator): the survey is offered', async () => {
    const { server, session } = await waitingForAnswer();
    server.sendRaw(fixtureText('event-accepted'));
    server.sendRaw(fixtureText('event-newline-pagingmessage'));
    await waitFor(() => session.wait.value.kind === 'paging', 'paging');
    act(() => session.cancelWaiting());
    renderUi(session, <EndedView />);
    expect(survey()).toBeTruthy();
  });
});
