/**
 * Issue 19: the language selector (Translation.ShowLanguageSelector), and uploads: the SOAP
 * 1.1 DocumentWriteForSite call against the simulator's Document Store, a refusal said in
 * the visitor's language, and `data-upload-url` (the site's own endpoint: multipart in,
 * `{url}` out) on a real HTTP server.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadLocale } from '../../src/core/i18n';
import fr from '../../src/core/locales/fr';
import { startWhosOnSimulator, type WhosOnSimulatorHandle } from '../../src/server/sandbox/whoson';
import { LANGUAGE_FIELD } from '../../src/transports/whoson/transport';
import { documentWriteEnvelope, soapResult } from '../../src/transports/whoson/upload';
import { fixture, harness, SCRIPT_OPTIONS, startScriptServer, waitFor, type Harness, type ScriptServer } from './helpers';

let sim: WhosOnSimulatorHandle;
let script: ScriptServer;
const open: Harness[] = [];
beforeAll(async () => {
  sim = await startWhosOnSimulator({ agent: { delayScale: 0.05, queueFrom: 0 } });
  script = await startScriptServer();
});
afterEach(async () => {
  open.splice(0).forEach((h) => h.transport.close());
  vi.restoreAllMocks();
  await loadLocale('en');
});
afterAll(async () => {
  expect(sim.violations).toEqual([]);
  await sim.close();
  await script.close();
});

const frames = (name: string) => sim.received.filter((f) => f.channel === 'ws' && f.name === name).map((f) => f.payload as string[]);

async function chatting(options: Record<string, string> = {}): Promise<Harness> {
  const h = harness({ server: sim.url, ...sim.options, ...options });
  open.push(h);
  await h.next('config');
  h.transport.send({ type: 'start', visitor: { name: 'Thomas' }, answers: {} });
  await h.next('agent');
  return h;
}

describe('the language selector (Translation.ShowLanguageSelector)', () => {
  it('adds a "Chat language" drop-down; the choice is Hello\'s language, not a survey field', async () => {
    const before = script.received.length;
    const h = harness({ server: script.url, ...SCRIPT_OPTIONS }, { locale: 'en-GB' });
    open.push(h);
    await waitFor(() => script.received.length > before, 'Connect');
    const ex = fixture<{ Data: { Translation: object } }>('event-connected');
    script.send({ ...ex, Data: { ...ex.Data, Translation: { ...ex.Data.Translation, ShowLanguageSelector: true } } });
    const config = (await h.next('config')).config;
    expect(config.prechat[0]).toEqual({
      name: LANGUAGE_FIELD, type: 'select', label: 'Chat language', required: false, selectAs: 'select',
      options: ['English', 'French', 'German'], defaultValue: 'English',
    });
    h.transport.send({ type: 'start', visitor: { name: 'Thomas' }, answers: { [LANGUAGE_FIELD]: 'German', Company: 'ACME' } });
    await waitFor(() => script.received.at(-1)?.Command === 'Hello', 'Hello');
    const hello = script.received.at(-1)?.Parameters ?? [];
    expect(hello.slice(7)).toEqual(['de', 'true', '<Fields><Field><Name>Company</Name><Value>ACME</Value></Field></Fields>']);
  });

  it('off (the document\'s example), there is no selector and the visitor\'s locale is the language', async () => {
    const h = await chatting();
    expect(h.of('config')[0]?.config.prechat.map((f) => f.name)).toEqual(['VisitorName', 'Company']);
    expect(frames('Hello').at(-1)?.[7]).toBe('en');
  });
});

describe('uploads', () => {
  it('the SOAP envelope escapes the file name and carries the bytes as base64', async () => {
    const xml = await documentWriteEnvelope({ sessionId: 's<1>', domain: 'd&d', name: 'a</FileName><X>.pdf', file: new Blob([new Uint8Array([0, 255, 1])]) });
    expect(xml).toContain('<DocumentWriteForSite xmlns="http://www.whoson.com/webservices/kb/"><Contents>AP8B</Contents>');
    expect(xml).toContain('<FileName>a&lt;/FileName&gt;&lt;X&gt;.pdf</FileName><Domain>d&amp;d</Domain><SessionID>s&lt;1&gt;</SessionID>');
    expect(soapResult('<r><x:DocumentWriteForSiteResult a="1">http://h/d?f=1&amp;g=2</x:DocumentWriteForSiteResult></r>')).toBe('http://h/d?f=1&g=2');
    expect(soapResult('<r>nothing</r>')).toBeNull();
  });

  it('a SOAP upload the server refuses is said in the visitor\'s language, and no File goes out', async () => {
    const small = await startWhosOnSimulator({ agent: { delayScale: 0.05, queueFrom: 0 }, maxUploadBytes: 16 });
    const h = harness({ server: small.url, ...small.options });
    open.push(h);
    await h.next('config');
    h.transport.send({ type: 'start', visitor: { name: 'Thomas' }, answers: {} });
    await h.next('agent');
    await loadLocale('fr');
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    // Allowed by AllowedFileTypes, but over this Document Store's size limit: refused.
    h.transport.send({ type: 'send-file', clientId: 'f-big', file: new Blob(['x'.repeat(17)]), name: 'big.pdf' });
    const error = await h.next('error', (e) => e.code === 'upload-refused');
    expect(error).toMatchObject({ fatal: false, message: fr['transport.uploadRefused'] });
    expect(small.received.filter((f) => f.name === 'File')).toEqual([]);
    expect(small.received.filter((f) => f.channel === 'http')).toHaveLength(1);
    expect(warn).toHaveBeenCalled();
    expect(small.violations).toEqual([]);
    h.transport.close();
    await small.close();
  });

  it('data-upload-url: a multipart POST to the site\'s endpoint, whose {url} File carries', async () => {
    const got: { type: string; body: string }[] = [];
    const site = createServer((req: IncomingMessage, res) => {
      let body = '';
      req.on('data', (c) => (body += String(c)));
      req.on('end', () => {
        got.push({ type: String(req.headers['content-type']), body });
        if (body.includes('refuse-me')) return void res.writeHead(415).end('{"error":"no"}');
        res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ url: 'https://files.shop.example/u/1.pdf' }));
      });
    });
    await new Promise<void>((r) => site.listen(0, '127.0.0.1', r));
    const uploadUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}/upload`;
    try {
      const h = await chatting({ uploadUrl });
      const store = () => sim.received.filter((f) => f.channel === 'http').length;
      const storeBefore = store();
      h.transport.send({ type: 'send-file', clientId: 'f-1', file: new Blob(['%PDF-1.4']), name: 'a.pdf' });
      const msg = await h.next('message', (e) => e.message.clientId === 'f-1');
      expect(msg.message.attachments?.[0]?.url).toBe('https://files.shop.example/u/1.pdf');
      await waitFor(() => frames('File').at(-1)?.[3] === 'https://files.shop.example/u/1.pdf', 'File with the site\'s URL');
      expect(frames('File').at(-1)?.[2]).toBe('a.pdf');
      expect(got[0]?.type).toMatch(/^multipart\/form-data; boundary=/);
      for (const part of ['name="file"; filename="a.pdf"', '%PDF-1.4', 'name="name"', 'name="domain"', 'name="sessionId"']) {
        expect(got[0]?.body).toContain(part);
      }
      // The Document Store was not used.
      expect(store()).toBe(storeBefore);
      const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
      h.transport.send({ type: 'send-file', clientId: 'f-2', file: new Blob(['refuse-me']), name: 'b.pdf' });
      expect(await h.next('error', (e) => e.code === 'upload-refused')).toMatchObject({ message: 'The chat server did not accept this file.' });
      warn.mockRestore();
    } finally {
      await new Promise<void>((r) => site.close(() => r()));
    }
  });
});
