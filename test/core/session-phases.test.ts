import { describe, expect, it, vi } from 'vitest';
import { effect } from '@preact/signals-core';
import { chatConfig, chatting, connected, harness, lines, settle } from './harness';

describe('session phases', () => {
  it('stays closed and loads no transport until the window opens', async () => {
    const h = harness();
    await settle();
    expect(h.session.phase.value).toBe('closed');
    expect(h.loads).toBe(0);
  });

  it('emits ready once the transport is loaded and connected, then config moves closed → prechat', async () => {
    const h = harness();
    const ready = vi.fn();
    h.session.on('ready', ready);
    h.session.open();
    h.session.open();
    await settle();
    expect(h.loads).toBe(1);
    expect(ready).toHaveBeenCalledTimes(1);
    expect(h.transport.sink).not.toBeNull();
    expect(h.transport.options.visitorId).toMatch(/^[\w-]{8,}$/);
    expect(h.session.phase.value).toBe('closed');
    h.transport.emit({ type: 'connection', state: 'open' });
    h.transport.emit({ type: 'config', config: chatConfig() });
    expect(h.session.phase.value).toBe('prechat');
    expect(h.session.connection.value).toBe('open');
  });

  it('walks prechat → starting → waiting → chatting → ended → postchat → done', async () => {
    const h = harness();
    const phases: string[] = [];
    h.session.on('phase', ({ phase }) => phases.push(phase));
    const ended = vi.fn();
    h.session.on('ended', ended);
    await connected(h);
    h.session.start({ VisitorName: 'Sam Jones', Company: 'ACME' }, 'sales');
    expect(h.session.phase.value).toBe('starting');
    expect(h.transport.sent('start')).toEqual([
      {
        type: 'start',
        visitor: { name: 'Sam Jones' },
        answers: { VisitorName: 'Sam Jones', Company: 'ACME' },
        department: 'sales',
      },
    ]);
    h.transport.emit({ type: 'queue', position: 2, total: 3 });
    h.transport.emit({ type: 'accepted', chatId: 'c1' });
    expect(h.session.phase.value).toBe('waiting');
    h.transport.emit({ type: 'waiting', kind: 'paging', text: 'Please wait.' });
    expect(h.session.wait.value).toEqual({ position: 2, total: 3, kind: 'paging', text: 'Please wait.' });
    h.transport.emit({ type: 'agent', action: 'joined', agent: { name: 'Alex Morgan', isBot: false } });
    expect(h.session.phase.value).toBe('chatting');
    expect(h.session.agent.value?.name).toBe('Alex Morgan');
    expect(lines(h.session)).toContain('notice:Alex Morgan joined the chat');
    h.transport.emit({ type: 'ended', by: 'agent' });
    expect(h.session.phase.value).toBe('ended');
    expect(h.session.endedBy.value).toBe('agent');
    expect(lines(h.session)).toContain('notice:Alex Morgan ended the chat');
    expect(ended).toHaveBeenCalledWith({ by: 'agent' });
    h.session.submitPostchat({ Rating: '5' });
    expect(h.session.phase.value).toBe('postchat');
    expect(h.session.postchat.value).toBe('pending');
    expect(h.transport.sent('postchat')).toEqual([{ type: 'postchat', answers: { Rating: '5' } }]);
    h.transport.emit({ type: 'ack', what: 'postchat' });
    expect(h.session.phase.value).toBe('done');
    expect(h.session.postchat.value).toBe('done');
    expect(phases).toEqual(['prechat', 'starting', 'waiting', 'chatting', 'ended', 'postchat', 'done']);
  });

  it('adds a notice when the agent leaves', async () => {
    const h = harness();
    await chatting(h);
    h.transport.emit({ type: 'agent', action: 'left', agent: { name: 'Alex Morgan', isBot: false } });
    expect(lines(h.session)).toContain('notice:Alex Morgan left the chat');
    expect(h.session.agent.value).toBeNull();
    expect(h.session.phase.value).toBe('chatting');
  });

  it('goes offline when the start is rejected, with the leave-message option and a safe forwarding URL', async () => {
    const h = harness();
    await connected(h);
    h.session.start({ VisitorName: 'Sam' });
    h.transport.emit({ type: 'rejected', reason: 'Closed for lunch', forwardingUrl: 'javascript:alert(1)' });
    expect(h.session.phase.value).toBe('offline');
    expect(h.session.offline.value).toEqual({ reason: 'Closed for lunch', leaveMessage: true, forwardingUrl: undefined });

    const h2 = harness();
    await connected(h2);
    h2.session.start({ VisitorName: 'Sam' });
    h2.transport.emit({ type: 'accepted' });
    h2.transport.emit({ type: 'rejected', reason: 'Busy', forwardingUrl: 'https://help.example/contact' });
    expect(h2.session.offline.value?.forwardingUrl).toBe('https://help.example/contact');
  });

  it('goes offline straight from prechat when the config says no agents are available', async () => {
    const h = harness();
    await connected(h, chatConfig({ agentsAvailable: false, leaveMessage: false }));
    expect(h.session.phase.value).toBe('offline');
    expect(h.session.offline.value).toEqual({
      reason: 'Nobody is available to chat right now',
      leaveMessage: false,
      forwardingUrl: undefined,
    });
  });

  it('goes offline on the final waiting line while waiting', async () => {
    const h = harness();
    await connected(h);
    h.session.start({ VisitorName: 'Sam' });
    h.transport.emit({ type: 'accepted' });
    h.transport.emit({ type: 'waiting', kind: 'waiting', text: 'One moment please...' });
    expect(h.session.phase.value).toBe('waiting');
    h.transport.emit({ type: 'waiting', kind: 'final', text: 'No operators are available.' });
    expect(h.session.phase.value).toBe('offline');
    expect(h.session.offline.value?.reason).toBe('No operators are available.');
  });

  it('keeps the phase on a non-fatal error, and returns to prechat (retryable) on a fatal one while starting', async () => {
    const h = harness();
    await chatting(h);
    h.transport.emit({ type: 'error', code: 'bad-frame', message: 'Unreadable frame', fatal: false });
    expect(h.session.phase.value).toBe('chatting');
    expect(h.session.error.value).toEqual({ code: 'bad-frame', message: 'Unreadable frame', fatal: false });

    const h2 = harness();
    await connected(h2);
    h2.session.start({ VisitorName: 'Sam' });
    h2.transport.emit({ type: 'error', code: 'start-failed', message: 'No', fatal: true });
    expect(h2.session.phase.value).toBe('prechat');
    expect(h2.session.error.value?.retryable).toBe(true);
    h2.session.start({ VisitorName: 'Sam' });
    expect(h2.session.phase.value).toBe('starting');
    expect(h2.session.error.value).toBeNull();
    expect(h2.transport.sent('start')).toHaveLength(2);
  });

  it('ends the chat at once when the visitor ends it, and ignores the server confirming it', async () => {
    const h = harness();
    const ended = vi.fn();
    h.session.on('ended', ended);
    await chatting(h);
    h.session.end();
    expect(h.transport.sent('end')).toHaveLength(1);
    expect(h.session.phase.value).toBe('ended');
    expect(h.session.endedBy.value).toBe('visitor');
    h.transport.emit({ type: 'ended', by: 'agent' });
    expect(h.session.endedBy.value).toBe('visitor');
    expect(ended).toHaveBeenCalledTimes(1);
    expect(lines(h.session).filter((l) => l.startsWith('notice:You ended'))).toHaveLength(1);
  });

  it('cancels waiting with the cancel command', async () => {
    const h = harness();
    await connected(h);
    h.session.start({ VisitorName: 'Sam' });
    h.transport.emit({ type: 'accepted' });
    h.session.cancelWaiting();
    expect(h.transport.sent('cancel')).toHaveLength(1);
    expect(h.session.phase.value).toBe('ended');
  });

  it('ignores actions that do not fit the phase', async () => {
    const h = harness();
    await connected(h);
    expect(h.session.send('hello')).toBe('');
    h.session.end();
    h.session.submitPostchat({});
    h.session.askRating();
    h.session.newChat();
    h.session.leaveMessage({ name: 'Sam', message: 'hi' });
    expect(h.transport.commands).toEqual([]);
    expect(h.session.phase.value).toBe('prechat');
    expect(h.transports).toHaveLength(1);
  });

  it('newChat closes the old transport, clears the chat, keeps the visitor and returns to prechat', async () => {
    const h = harness();
    h.session.identify({ email: 'sam@example.com' });
    await chatting(h);
    h.transport.emit({ type: 'message', message: { id: 'm1', sender: 'agent', text: 'Hi' } });
    h.transport.emit({ type: 'resume', token: { chat: 'abc' } });
    h.session.end();
    const old = h.transport;
    h.session.newChat();
    expect(old.closed).toBe(true);
    expect(h.session.phase.value).toBe('closed');
    expect(h.session.transcript.value).toEqual([]);
    expect(h.session.endedBy.value).toBeNull();
    expect(h.session.agent.value).toBeNull();
    await settle();
    expect(h.transports).toHaveLength(2);
    expect(h.transport.options.resume).toBeUndefined();
    // Late events from the old connection are ignored.
    old.emit({ type: 'message', message: { id: 'late', sender: 'agent', text: 'late' } });
    expect(h.session.transcript.value).toEqual([]);
    h.transport.emit({ type: 'connection', state: 'open' });
    h.transport.emit({ type: 'config', config: chatConfig() });
    expect(h.session.phase.value).toBe('prechat');
    expect(h.session.visitor.value).toEqual({ email: 'sam@example.com', name: 'Sam' });
  });

  it('tracks connection state and reconnect attempts', async () => {
    const h = harness();
    await chatting(h);
    h.transport.emit({ type: 'connection', state: 'reconnecting', attempt: 1 });
    h.transport.emit({ type: 'connection', state: 'reconnecting' });
    expect(h.session.connection.value).toBe('reconnecting');
    expect(h.session.reconnectAttempt.value).toBe(2);
    h.transport.emit({ type: 'connection', state: 'open' });
    expect(h.session.reconnectAttempt.value).toBe(0);
    expect(h.session.phase.value).toBe('chatting');
  });

  it('"continued in another tab" goes away once this tab holds the chat again; other minor errors stay', async () => {
    const h = harness();
    await chatting(h);
    h.transport.emit({ type: 'error', code: 'kicked', message: 'This chat continues in another tab.', fatal: false });
    h.transport.emit({ type: 'connection', state: 'closed' });
    expect(h.session.error.value?.code).toBe('kicked');
    h.transport.emit({ type: 'connection', state: 'open' });
    expect(h.session.error.value).toBeNull();
    h.transport.emit({ type: 'error', code: 'file-type', message: 'Files of this type cannot be sent.', fatal: false });
    h.transport.emit({ type: 'connection', state: 'reconnecting', attempt: 1 });
    h.transport.emit({ type: 'connection', state: 'open' });
    expect(h.session.error.value?.code).toBe('file-type');
  });

  it('sets request states for leave-message and transcript, failing them on an error while pending', async () => {
    const h = harness();
    await connected(h, chatConfig({ agentsAvailable: false }));
    h.session.leaveMessage({ name: 'Sam', email: 'sam@example.com', message: 'Call me' });
    expect(h.session.leaveMessageRequest.value).toBe('pending');
    expect(h.transport.sent('leave-message')).toEqual([
      { type: 'leave-message', name: 'Sam', email: 'sam@example.com', message: 'Call me' },
    ]);
    h.transport.emit({ type: 'ack', what: 'leave-message' });
    expect(h.session.leaveMessageRequest.value).toBe('done');

    const h2 = harness();
    await chatting(h2);
    h2.session.end();
    h2.session.requestTranscript('email', 'sam@example.com');
    expect(h2.session.transcriptRequest.value).toBe('pending');
    h2.transport.emit({ type: 'error', code: 'smtp', message: 'Could not send', fatal: false });
    expect(h2.session.transcriptRequest.value).toBe('failed');
    expect(h2.session.phase.value).toBe('ended');
    h2.session.requestTranscript('pdf');
    expect(h2.transport.sent('transcript')).toEqual([
      { type: 'transcript', format: 'email', email: 'sam@example.com' },
      { type: 'transcript', format: 'pdf' },
    ]);
    h2.transport.emit({ type: 'ack', what: 'transcript' });
    expect(h2.session.transcriptRequest.value).toBe('done');
  });

  it('a failed post-chat survey can be submitted again', async () => {
    const h = harness();
    await chatting(h);
    h.session.end();
    h.session.submitPostchat({ Rating: '4' });
    h.transport.emit({ type: 'error', code: 'x', message: 'Nope', fatal: false });
    expect(h.session.postchat.value).toBe('failed');
    expect(h.session.phase.value).toBe('ended');
    h.session.submitPostchat({ Rating: '4' });
    expect(h.transport.sent('postchat')).toHaveLength(2);
  });

  it('sets the logo only through the image URL allowlist, and the rating policy', async () => {
    const h = harness();
    await connected(h);
    h.transport.emit({ type: 'image', role: 'logo', url: 'data:image/png;base64,iVBORw0KGgo=' });
    expect(h.session.logoUrl.value).toBe('data:image/png;base64,iVBORw0KGgo=');
    h.transport.emit({ type: 'image', role: 'logo', url: 'data:text/html;base64,PHNjcmlwdD4=' });
    expect(h.session.logoUrl.value).toBeNull();
    h.transport.emit({ type: 'rating-policy', policy: { autoAtEnd: true, agentMaySend: true, visitorMayAsk: false } });
    expect(h.session.ratingPolicy.value).toEqual({ autoAtEnd: true, agentMaySend: true, visitorMayAsk: false });
  });

  it('reports a transport that fails to load as a retryable error, and loads again on the next open', async () => {
    let attempts = 0;
    const { createSession } = await import('../../src/core/session');
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const session = createSession({
      loadTransport: () => {
        attempts += 1;
        return Promise.reject(new Error('chunk failed'));
      },
      transportOptions: { options: {}, locale: 'en', pageUrl: '', referrer: '', userAgent: '' },
      storage: null,
      storageKey: 'k',
    });
    session.open();
    await settle();
    expect(session.error.value).toMatchObject({ code: 'load', fatal: true, retryable: true });
    session.open();
    await settle();
    expect(attempts).toBe(2);
    warn.mockRestore();
    session.destroy();
  });

  it('pre-fills pre-chat fields from identify, and offers its own fields when the vendor defines none', async () => {
    const h = harness();
    h.session.identify({ name: 'Sam Jones', email: 'sam@example.com', phone: '+44 1234' });
    await connected(
      h,
      chatConfig({
        prechat: [
          { name: 'VisitorName', type: 'text', label: 'Name', required: true },
          { name: 'contact', type: 'email', label: 'Email', required: false },
          { name: 'Telephone', type: 'text', label: 'Phone', required: false, defaultValue: 'kept' },
          { name: 'Company', type: 'company', label: 'Company', required: false },
        ],
      }),
    );
    expect(h.session.prechatFields.value.map((f) => f.defaultValue)).toEqual([
      'Sam Jones',
      'sam@example.com',
      'kept',
      undefined,
    ]);
    const h2 = harness();
    await connected(h2, chatConfig({ prechat: [] }));
    expect(h2.session.prechatFields.value.map((f) => [f.name, f.type, f.required])).toEqual([
      ['name', 'name', true],
      ['email', 'email', false],
    ]);
    const h3 = harness({ capabilities: ['typing'] });
    await connected(h3, chatConfig({ prechat: [] }));
    expect(h3.session.prechatFields.value).toEqual([]);
  });

  it('tells a transport that wants it when the window opens and closes', async () => {
    const h = harness({ capabilities: ['window-state', 'typing'] });
    await chatting(h);
    h.session.close();
    h.session.open();
    expect(h.transport.sent('window')).toEqual([
      { type: 'window', open: false },
      { type: 'window', open: true },
    ]);
    const h2 = harness();
    await chatting(h2);
    h2.session.close();
    expect(h2.transport.sent('window')).toEqual([]);
  });

  it('destroy closes the transport and ignores later events', async () => {
    const h = harness();
    await chatting(h);
    h.session.destroy();
    expect(h.transport.closed).toBe(true);
    h.transport.emit({ type: 'message', message: { id: 'x', sender: 'agent', text: 'still there?' } });
    expect(lines(h.session)).not.toContain('agent:still there?');
    expect(h.clock.pending).toBe(0);
  });
});

describe('session details', () => {
  it('goes offline when the server refuses chats before the start', async () => {
    const h = harness();
    await connected(h);
    h.transport.emit({ type: 'rejected', reason: 'Outside office hours' });
    expect(h.session.phase.value).toBe('offline');
    expect(h.session.offline.value?.reason).toBe('Outside office hours');
  });

  it('does not ignore a rejection once the chat is under way (a bot talked, then nobody took it): offline', async () => {
    const h = harness();
    await chatting(h);
    h.transport.emit({ type: 'rejected', reason: 'late' });
    expect(h.session.phase.value).toBe('offline');
    expect(h.session.offline.value?.reason).toBe('late');
  });

  it('clears a non-fatal error once the visitor sends again', async () => {
    const h = harness();
    await chatting(h);
    h.transport.emit({ type: 'error', code: 'bad-frame', message: 'x', fatal: false });
    h.session.send('next');
    expect(h.session.error.value).toBeNull();
  });

  it('exposes the leave-message request as a reactive state', async () => {
    const h = harness();
    await connected(h, chatConfig({ agentsAvailable: false }));
    const seen: string[] = [];
    const stop = effect(() => {
      seen.push(h.session.leaveMessageRequest.value);
    });
    h.session.leaveMessage({ name: 'Sam', message: 'Please call' });
    h.transport.emit({ type: 'ack', what: 'leave-message' });
    stop();
    expect(seen).toEqual(['idle', 'pending', 'done']);
    expect(h.session.leaveMessageRequest.peek()).toBe('done');
  });
});
