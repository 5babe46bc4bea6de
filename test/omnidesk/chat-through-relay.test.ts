/**
 * A whole Omnidesk chat through the relay against the strict simulator (multipart bodies, the
 * apiKey header, the specification's patterns and `result` answers): start with the pre-chat
 * chatbot log, lines both ways, typing both ways, attachments both ways, the agent ending, the
 * visitor ending; and not one request the simulator counts as a violation.
 */
import { describe, expect, it } from 'vitest';
import { chatServerProblem } from '../../src/server/relay/adapters/omnidesk';
import { calls, visitor, waitFor } from '../relay/harness';
import { describeEachStore, stackPerSuite } from '../relay/stores';

const texts = (v: ReturnType<typeof visitor>, sender: string) =>
  v.of('message').filter((e) => e.message.sender === sender).map((e) => e.message.text ?? '');

describeEachStore((newStore) => {
  const stack = stackPerSuite(() => ({ store: newStore() }));

  describe('an Omnidesk chat through the relay', () => {
    it('runs a full chat: typing both ways, attachments both ways, numbered messages, agent ends', async () => {
      const v = visitor(stack().relay.url);
      await waitFor(() => v.of('config')[0], 'config');
      expect(v.of('config')[0]!.config.agentsAvailable).toBe(true);
      expect(v.transport.capabilities.has('window-state')).toBe(true);

      v.transport.send({ type: 'start', visitor: { name: 'Ann', email: 'ann@example.com' }, answers: { question: 'Where is my parcel?' } });
      await waitFor(() => v.of('accepted')[0], 'accepted');
      const joined = await waitFor(() => v.of('agent')[0], 'agent joined');
      expect(joined.agent.name).toBe('Alex Morgan');
      expect(joined.agent.avatar).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/avatar\.png$/);
      await waitFor(() => texts(v, 'agent').some((t) => t.startsWith('Hello')), 'greeting');
      expect(v.of('typing').map((e) => e.on)).toEqual([true, false]);

      const chatbot = calls(stack().sim, '/message/chatbot');
      expect(chatbot[0]).toMatchObject({ from: 'ann@example.com' });
      expect(String(chatbot[0]!.message)).toContain('Where is my parcel?');

      v.transport.send({ type: 'typing', on: true });
      v.transport.send({ type: 'typing', on: false });
      v.transport.send({ type: 'send', clientId: 'c1', text: 'My order is late' });
      await waitFor(() => v.of('message').find((e) => e.message.clientId === 'c1'), 'echo of c1');
      await waitFor(() => texts(v, 'agent').some((t) => t.includes('My order is late')), 'reply to c1');
      const events = calls(stack().sim, '/chat/notifyUserNewChatEvent').map((b) => b.event);
      expect(events).toEqual(['startedtyping', 'stoppedtyping']);

      v.transport.send({ type: 'send-file', clientId: 'f1', file: new Blob(['%PDF-1.4\n'], { type: 'application/pdf' }), name: 'report.pdf' }); // a real PDF's first bytes (the relay checks them)
      const fileEcho = await waitFor(() => v.of('message').find((e) => e.message.clientId === 'f1'), 'file echo');
      expect(fileEcho.message.attachments?.[0]).toMatchObject({ name: 'report.pdf', kind: 'file', size: 9 });
      const upload = calls(stack().sim, '/chat/addAttachment')[0]!;
      expect(upload.file).toEqual({ name: 'report.pdf', mime: 'application/pdf', size: 9 });
      expect(upload.chatAccountToken).toBe(stack().sim.options.chatAccountToken);

      v.transport.send({ type: 'send', clientId: 'c2', text: 'please attach the invoice' });
      const incoming = await waitFor(
        () => v.of('message').find((e) => e.message.sender === 'agent' && e.message.attachments?.length),
        'agent attachment',
      );
      const att = incoming.message.attachments![0]!;
      expect(att).toMatchObject({ name: 'invoice.png', kind: 'image', mime: 'image/png' });
      const res = await fetch(att.url);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-disposition')).toContain('attachment');
      expect(Buffer.from(await res.arrayBuffer()).subarray(1, 4).toString()).toBe('PNG');

      v.transport.send({ type: 'send', clientId: 'c3', text: 'bye' });
      const ended = await waitFor(() => v.of('ended')[0], 'ended');
      expect(ended.by).toBe('agent');

      const msgs = calls(stack().sim, '/chat/notifyUserNewChatMessage');
      expect(msgs.map((m) => m.messageNumber)).toEqual([1, 2, 3, 4]);
      expect(new Set(msgs.map((m) => m.chatSessionID)).size).toBe(1);
      expect(String(msgs[0]!.chatSessionID)).toMatch(/^confab-[0-9a-f]{32}$/);
      expect(msgs.every((m) => m.channelID === 8 && m.url === 'https://shop.example.com/support')).toBe(true);
      // The chat's own hookpoint base: the global secret, then this chat's token, in Omnidesk's alphabet.
      const chatServer = String(msgs[0]!.chatServer);
      expect(chatServer).toMatch(new RegExp(`^${stack().relay.hookpointBase}/omnidesk/[0-9a-f]{32}$`));
      expect(chatServerProblem(chatServer)).toBeNull();
      expect(v.of('error')).toEqual([]);
      expect(stack().sim.violations).toEqual([]);
      v.transport.close();
    });

    it('reports window expanded / minimised and the visitor ending the chat', async () => {
      const v = visitor(stack().relay.url);
      v.transport.send({ type: 'start', visitor: { name: 'Bo' }, answers: {} });
      await waitFor(() => v.of('accepted')[0], 'accepted');
      const id = String(v.of('accepted')[0]!.chatId);
      v.transport.send({ type: 'window', open: false });
      v.transport.send({ type: 'window', open: true });
      v.transport.send({ type: 'end' });
      const ended = await waitFor(() => v.of('ended')[0], 'ended');
      expect(ended.by).toBe('visitor');
      const mine = stack().sim.received.filter((r) => JSON.stringify(r.payload).includes(id)).map((r) => {
        const p = r.payload as Record<string, unknown>;
        return p.event ?? r.name.split('/').at(-1);
      });
      expect(mine).toEqual(['notifyUserNewChatMessage', 'minimizedchat', 'expandedchat', 'notifyUserEndChat']);
      // The specification's path (the Chat controller), and Omnidesk confirmed it.
      expect(stack().sim.received.filter((r) => r.name.endsWith('/notifyUserEndChat')).map((r) => r.name)).toContain('POST /api/v2/chat/notifyUserEndChat');
      await waitFor(() => stack().sim.ended.has(id), 'Omnidesk told the chat ended');
      expect(stack().sim.violations).toEqual([]);
      v.transport.close();
    });

    it('with no agents available the widget goes offline, and a left message becomes a chatbot log', async () => {
      stack().available.value = false;
      try {
        const v = visitor(stack().relay.url);
        const config = await waitFor(() => v.of('config')[0], 'config');
        expect(config.config.agentsAvailable).toBe(false);
        expect(config.config.leaveMessage).toBe(true);
        v.transport.send({ type: 'start', visitor: {}, answers: {} });
        await waitFor(() => v.of('rejected')[0], 'rejected');
        const before = calls(stack().sim, '/message/chatbot').length;
        v.transport.send({ type: 'leave-message', name: 'Cy', email: 'cy@example.com', message: 'Call me back' });
        const ack = await waitFor(() => v.of('ack')[0], 'ack');
        expect(ack.what).toBe('leave-message');
        const log = calls(stack().sim, '/message/chatbot').slice(before);
        expect(log).toHaveLength(1);
        expect(log[0]).toMatchObject({ from: 'cy@example.com' });
        expect(String(log[0]!.message)).toContain('Call me back');
        expect(calls(stack().sim, '/chat/notifyUserNewChatMessage').filter((m) => m.url && m.message === 'Call me back')).toEqual([]);
        expect(stack().sim.violations).toEqual([]);
        v.transport.close();
      } finally {
        stack().available.value = true;
      }
    });

    it('a line ends the visitor\'s typing (the widget sends no stop): the relay stops it, and the next keystroke starts it again', async () => {
      const v = visitor(stack().relay.url);
      await waitFor(() => v.of('config')[0], 'config');
      v.transport.send({ type: 'start', visitor: { name: 'Ann', email: 'ann@example.com' }, answers: { question: 'Typing' } });
      await waitFor(() => v.of('accepted')[0], 'accepted');
      v.transport.send({ type: 'typing', on: true });
      v.transport.send({ type: 'send', clientId: 't1', text: 'first line' });
      await waitFor(() => v.of('message').find((e) => e.message.clientId === 't1'), 'echo of t1');
      v.transport.send({ type: 'typing', on: true });
      v.transport.send({ type: 'typing', on: false });
      const events = () => calls(stack().sim, '/chat/notifyUserNewChatEvent').filter((b) => String(b.event).endsWith('typing')).map((b) => b.event);
      await waitFor(() => events().length >= 4 || undefined, 'four typing events');
      expect(events()).toEqual(['startedtyping', 'stoppedtyping', 'startedtyping', 'stoppedtyping']);
      expect(stack().sim.violations).toEqual([]);
      v.transport.close();
    });
  });
});
