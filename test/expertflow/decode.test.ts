import { describe, expect, it } from 'vitest';
import { decodeArrived, decodeInfo, decodeInit, decodeParticipant } from '../../src/transports/expertflow/decode';
import { fixture, fixtureNames } from './fixtures';

const BASE = 'https://chat.example.com';

describe('ExpertFlow decoder: the document example payloads', () => {
  it('has a fixture for every example payload of the document (eight code samples)', () => {
    expect(fixtureNames()).toHaveLength(8);
  });

  it('reads the init response sample as the conversation to join and the customer participant', () => {
    expect(decodeInit(fixture('init.response'))).toEqual({
      conversationId: '5ae01d346c25be4319a9df95',
      participant: { id: 'd346c25', name: 'Kashif' },
    });
  });

  it('reads the messageArrived ChatMessage sample as a line with sender, text and server time', () => {
    const line = decodeArrived(fixture('message-arrived.chat-message'), BASE);
    expect(line).toMatchObject({
      type: 'ChatMessage',
      conversationId: '7g5639ju987g',
      from: { id: 'abcdedf', name: 'Kashif Sohail' },
      text: 'Hello, what is the status of my request',
      attachments: [],
      whisper: false,
      sentAt: Date.parse('2018-05-07T06:52:21.661Z'),
    });
  });

  it('gives the live line and its history copy the same id, and different lines different ids', () => {
    const sample = fixture('message-arrived.chat-message');
    const a = decodeArrived(sample, BASE);
    const b = decodeArrived({ ...sample, to: [], refId: 'other' }, BASE);
    const c = decodeArrived({ ...sample, timestamp: '2018-05-07T06:52:22.000Z' }, BASE);
    expect(a?.id).toBe(b?.id);
    expect(a?.id).not.toBe(c?.id);
  });

  it('reads the sendMessage sample (same format as messageArrived) with its empty tag as not a whisper', () => {
    const line = decodeArrived(fixture('send-message.chat-message'), BASE);
    expect(line).toMatchObject({ type: 'ChatMessage', text: 'Hello, what is the status of my request', whisper: false });
    expect(decodeArrived({ ...fixture('send-message.chat-message'), tag: 'whisper' }, BASE)).toMatchObject({ whisper: true });
  });

  it('reads the conversationInfo schema sample (lists written as "[]") as empty history, not an error', () => {
    expect(decodeInfo(fixture('conversation-info.event'), BASE)).toEqual({ messages: [], participants: [] });
  });

  it('does not mistake the request samples (connector, init, join, end) for received messages', () => {
    for (const name of ['register-connector.request', 'init.request', 'join-conversation.request', 'end-conversation.request']) {
      expect(decodeArrived(fixture(name), BASE), name).toBeNull();
    }
  });
});

describe('ExpertFlow decoder: attachments', () => {
  const withAttachments = (attachments: unknown[]) => ({ ...fixture('message-arrived.chat-message'), attachments });

  it('renders attachments by media type: image, audio, video, anything else a file', () => {
    const line = decodeArrived(
      withAttachments([
        { type: 'image/png', name: 'a.png', contentUrl: 'https://cdn.example.com/a.png' },
        { type: 'audio/wav', name: 'b.wav', contentUrl: 'https://cdn.example.com/b.wav' },
        { type: 'video/mp4', name: 'c.mp4', contentUrl: '/media/c.mp4' },
        { type: 'application/word', name: 'd.doc', contentUrl: 'http://cdn.example.com/d.doc', thumbnailUrl: '/thumbs/d.png' },
        { type: 'application/pdf', name: 'e.pdf', contentUrl: 'https://cdn.example.com/e.pdf', thumbnailUrl: 'javascript:alert(1)' },
        { type: 'image/gif', name: 'f.gif', contentUrl: 'https://cdn.example.com/f.gif', thumbnailUrl: 'https://cdn.example.com/f-small.gif' },
      ]),
      BASE,
    );
    expect(line?.type === 'ChatMessage' && line.attachments).toEqual([
      { name: 'a.png', url: 'https://cdn.example.com/a.png', kind: 'image', mime: 'image/png' },
      { name: 'b.wav', url: 'https://cdn.example.com/b.wav', kind: 'audio', mime: 'audio/wav' },
      { name: 'c.mp4', url: 'https://chat.example.com/media/c.mp4', kind: 'video', mime: 'video/mp4' },
      // A document's thumbnail (resolved like any URL), never an unsafe one, and only for documents.
      { name: 'd.doc', url: 'http://cdn.example.com/d.doc', kind: 'file', mime: 'application/word', thumbnailUrl: 'https://chat.example.com/thumbs/d.png' },
      { name: 'e.pdf', url: 'https://cdn.example.com/e.pdf', kind: 'file', mime: 'application/pdf' },
      { name: 'f.gif', url: 'https://cdn.example.com/f.gif', kind: 'image', mime: 'image/gif' },
    ]);
  });

  it('keeps data: images but never file:, javascript: or data: documents as URLs (their names become text)', () => {
    const png = 'data:image/png;base64,iVBORw0KGgo=';
    const line = decodeArrived(
      withAttachments([
        { type: 'image/png', name: 'pixel.png', contentUrl: png },
        { type: 'application/pdf', name: 'secret.pdf', contentUrl: 'file:///etc/passwd' },
        { type: 'text/html', name: 'evil.html', contentUrl: 'javascript:alert(1)' },
        { type: 'text/html', name: 'page.html', contentUrl: 'data:text/html,<script>alert(1)</script>' },
      ]),
      BASE,
    );
    expect(line?.type === 'ChatMessage' && line.attachments).toEqual([{ name: 'pixel.png', url: png, kind: 'image', mime: 'image/png' }]);
    expect(line?.type === 'ChatMessage' && line.blocked).toEqual(['secret.pdf', 'evil.html', 'page.html']);
  });
});

describe('ExpertFlow decoder: activities and malformed payloads', () => {
  const activity = (activityType: string, extra: Record<string, unknown> = {}) => ({
    conversationId: '7g5639ju987g',
    type: 'ActivityMessage',
    timestamp: '2018-05-07T06:52:21.661Z',
    from: { id: 'abcdedf', name: 'Kashif Sohail' },
    to: [],
    activityType,
    info: {},
    ...extra,
  });

  it.each([
    'greetings',
    'typing',
    'participantAdded',
    'participantRemoved',
    'participantJoined',
    'participantLeft',
    'endOfConversation',
    'handOff',
    'noAgentAvailable',
  ])('reads the %s activity', (type) => {
    expect(decodeArrived(activity(type), BASE)).toMatchObject({ type: 'ActivityMessage', activityType: type });
  });

  it('takes an activity text from info.text', () => {
    expect(decodeArrived(activity('handOff', { info: { text: 'Please wait' } }), BASE)).toMatchObject({ text: 'Please wait' });
  });

  it.each([
    ['a number', 42],
    ['a string that is not JSON', 'nope'],
    ['an unknown type', { type: 'Chat' }],
    ['a ChatMessage without a sender', { type: 'ChatMessage', text: 'hi', attachments: [] }],
    ['a ChatMessage whose text is not a string', { type: 'ChatMessage', from: { id: 'a' }, text: 5 }],
    ['a ChatMessage with attachments that are not a list', { type: 'ChatMessage', from: { id: 'a' }, text: 'x', attachments: 'x' }],
    ['an activity without activityType', { type: 'ActivityMessage', from: { id: 'a' } }],
    ['an activity whose info is not an object', { type: 'ActivityMessage', activityType: 'typing', info: 3 }],
  ])('rejects %s', (_what, raw) => {
    expect(decodeArrived(raw, BASE)).toBeNull();
  });

  it('rejects a conversationInfo whose messages are not a list', () => {
    expect(decodeInfo({ messages: 5, participant: [] }, BASE)).toBeNull();
    expect(decodeInfo({ messages: [{ type: 'x' }], participant: [] }, BASE)).toBeNull();
  });
});

describe('ExpertFlow decoder: participants are the document\'s { id, name }', () => {
  it('says nothing of bot or person without an undocumented role, and honours one when present', () => {
    expect(decodeParticipant({ id: 'a1', name: 'Kashif' })).toEqual({ id: 'a1', name: 'Kashif' });
    expect(decodeParticipant({ id: 'b1', name: 'Helper', type: 'bot' })).toEqual({ id: 'b1', name: 'Helper', isBot: true });
    expect(decodeParticipant({ id: 'a2', name: 'Alex', role: 'agent' })).toEqual({ id: 'a2', name: 'Alex', isBot: false });
    expect(decodeParticipant({ id: 'c1', name: 'Kashif', type: 'customer' })).toEqual({ id: 'c1', name: 'Kashif' });
  });
});

describe('ExpertFlow decoder: line identity', () => {
  const line = (attachments: object[]) => ({
    conversationId: 'c1',
    type: 'ChatMessage',
    timestamp: '2026-12-07T18:44:00.123Z',
    from: { id: 'agent-1', name: 'Alex' },
    text: '',
    attachments,
  });
  const idOf = (raw: object) => (decodeArrived(raw, BASE) as { id: string } | null)?.id;

  it('gives two textless lines of one sender in one millisecond different ids when their files differ (one was lost)', () => {
    const picture = line([{ type: 'image/png', name: 'a.png', contentUrl: 'https://chat.example.com/a.png' }]);
    const file = line([{ type: 'application/pdf', name: 'b.pdf', contentUrl: 'https://chat.example.com/b.pdf' }]);
    expect(idOf(picture)).toBeTruthy();
    expect(idOf(picture)).not.toBe(idOf(file));
    // The same line seen twice (a repeated frame, a history copy) keeps one id.
    expect(idOf(structuredClone(picture))).toBe(idOf(picture));
  });
});

