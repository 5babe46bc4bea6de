import { describe, expect, it, vi } from 'vitest';
import type { ConfabEvent } from '../../src/core/contract';
import { decodeFrame as relayDecode } from '../../src/server/relay/frames';
import { surveyXml } from '../../src/transports/whoson/encode';
import { createRelayTransport, type WebSocketCtor } from '../../src/transports/relay/transport';
import { createWhosOnTransport, type WebSocketConstructor } from '../../src/transports/whoson/transport';
import { chatConfig, chatting, harness, settle } from '../core/harness';
import { ONE_MB } from './arbitraries';
import { FakeSocket, relayOptions } from './relay-frames';

describe('visitor input: length caps', () => {
  it('a 1 MB paste is sent cut to the vendor cap (WhosOn 4,000) without freezing', async () => {
    const h = harness();
    await chatting(h, chatConfig({ maxMessageLength: 4000 }));
    const t0 = performance.now();
    h.session.send(`  ${ONE_MB}  `);
    const elapsed = performance.now() - t0;
    const [sent] = h.transport.sent('send');
    expect(sent?.text.length).toBe(4000);
    expect(h.session.maxMessageLength.value).toBe(4000);
    // Not a benchmark: a bound far above the real cost, to catch an accidental O(n²).
    expect(elapsed).toBeLessThan(500);
  });

  it('the cut never splits a surrogate pair (an emoji across the cap)', async () => {
    const h = harness();
    await chatting(h, chatConfig({ maxMessageLength: 10 }));
    h.session.send(`${'a'.repeat(9)}\u{1F600}tail`);
    expect(h.transport.sent('send')[0]?.text).toBe('a'.repeat(9));
  });
});

describe('visitor input: files are checked before any byte leaves', () => {
  it('the session refuses a wrong type or an oversized file without sending a command', async () => {
    const h = harness();
    await chatting(h, chatConfig({ allowedFileTypes: ['pdf'], maxFileBytes: 10 }));
    expect(h.session.sendFile(new File(['x'], 'evil.exe'))).toBe('');
    expect(h.session.error.value?.code).toBe('file-type');
    expect(h.session.sendFile(new File(['x'.repeat(11)], 'big.pdf'))).toBe('');
    expect(h.session.error.value?.code).toBe('file-size');
    await settle();
    expect(h.transport.sent('send-file')).toEqual([]);
  });

  it('WhosOn refuses a type the site does not allow before uploading', async () => {
    class Sock extends FakeSocket {}
    const fetchSpy = vi.fn(async () => new Response('https://x.example/doc'));
    const tr = createWhosOnTransport(
      { options: { server: 'ws://127.0.0.1:1/', domain: 'd', auth: 'a', apiKey: 'k' }, locale: 'en', pageUrl: '', referrer: '', userAgent: '', visitorId: 'v' },
      { WebSocket: Sock as unknown as WebSocketConstructor, fetch: fetchSpy },
    );
    const events: ConfabEvent[] = [];
    tr.connect((e) => events.push(e));
    const s = FakeSocket.last!;
    s.receive({ EventName: 'connected', ChatUid: null, Data: { SessionID: 's1', AllowedFileTypes: 'pdf', WebServicesURL: 'https://ws.example/' } });
    tr.send({ type: 'send-file', clientId: 'c1', file: new Blob(['MZ']), name: 'evil.exe' });
    await settle();
    expect(events.some((e) => e.type === 'error' && e.code === 'file-type')).toBe(true);
    expect(fetchSpy).not.toHaveBeenCalled();
    expect(s.sent.some((f) => f.includes('"File"'))).toBe(false);
    tr.close();
  });

  it('the relay transport refuses a file over the relay\'s maxFileBytes before reading it', async () => {
    const tr = createRelayTransport(relayOptions(), { WebSocket: FakeSocket as unknown as WebSocketCtor });
    const events: ConfabEvent[] = [];
    tr.connect((e) => events.push(e));
    const s = FakeSocket.last!;
    s.onopen?.({});
    s.receive({ type: 'welcome', token: 't', capabilities: ['file'], resumed: false });
    s.receive({ type: 'event', seq: 1, event: { type: 'config', config: { prechat: [], postchat: [], allowedFileTypes: ['pdf'], maxFileBytes: 10, leaveMessage: false, previewAllowed: false } } });
    const before = s.sent.length;
    tr.send({ type: 'send-file', clientId: 'c1', file: new Blob(['x'.repeat(11)]), name: 'a.pdf' });
    await vi.waitFor(() => expect(events.some((e) => e.type === 'error' && e.code === 'file-too-large')).toBe(true));
    expect(s.sent.slice(before).some((f) => f.includes('send-file'))).toBe(false);
    tr.close();
  });
});

describe('visitor input: survey values are escaped into XML and JSON', () => {
  const hostile = ']]></Value></Field><Field><Name>admin</Name><Value>1 & <b>"x"\'\u0000\u0008\u001f\ufffe';

  it('WhosOn surveyXml escapes markup and drops XML-illegal control characters', () => {
    const xml = surveyXml({ 'na<me>': hostile });
    expect(xml).toBe(
      '<Fields><Field><Name>na&lt;me&gt;</Name><Value>]]&gt;&lt;/Value&gt;&lt;/Field&gt;&lt;Field&gt;&lt;Name&gt;admin&lt;/Name&gt;&lt;Value&gt;1 &amp; &lt;b&gt;&quot;x&quot;&apos;</Value></Field></Fields>',
    );
    // Exactly one field: the value could not open another.
    expect(xml.match(/<Field>/g)).toHaveLength(1);
    expect(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/.test(xml)).toBe(false);
  });

  it('relay: hostile answers travel as JSON and arrive at the relay unchanged', () => {
    const tr = createRelayTransport(relayOptions(), { WebSocket: FakeSocket as unknown as WebSocketCtor });
    tr.connect(() => undefined);
    const s = FakeSocket.last!;
    s.onopen?.({});
    s.receive({ type: 'welcome', token: 't', capabilities: ['postchat'], resumed: false });
    tr.send({ type: 'postchat', answers: { '"key"': hostile, '__proto__': 'x' } });
    return vi.waitFor(() => {
      const wire = s.sent.find((f) => f.includes('postchat'));
      expect(wire).toBeDefined();
      const frame = relayDecode(wire!);
      expect(frame?.type === 'command' && frame.command.type === 'postchat' && frame.command.answers['"key"']).toBe(hostile);
      tr.close();
    });
  });
});
