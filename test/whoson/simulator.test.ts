/** The sandbox WhosOn server, driven by a raw WebSocket client: it must hold the document's line. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { startWhosOnSimulator } from '../../src/server/sandbox/whoson';
import type { SimulatorHandle } from '../../src/server/sandbox/types';
import { waitFor } from './helpers';

interface Frame {
  EventName: string;
  ChatUid: string | null;
  Data: unknown;
}

let sim: SimulatorHandle;
beforeAll(async () => {
  sim = await startWhosOnSimulator({ agent: { delayScale: 0.02 }, auth: 'secret', domain: 'chat.example.com', apiKey: 'key-1' });
});
afterAll(() => sim.close());

async function client() {
  const ws = new WebSocket(sim.url);
  const frames: Frame[] = [];
  let closed = false;
  ws.on('message', (d) => frames.push(JSON.parse(d.toString()) as Frame));
  ws.on('close', () => {
    closed = true;
  });
  await new Promise((r) => ws.once('open', r));
  return {
    ws,
    frames,
    isClosed: () => closed,
    send: (Command: string, Parameters: string[] | null) => ws.send(JSON.stringify({ Command, Parameters })),
    next: (name: string, from = 0) => waitFor(() => frames.slice(from).find((f) => f.EventName === name), name),
  };
}

const connectParams = (over: Partial<Record<'auth' | 'domain' | 'key', string>> = {}) =>
  [over.auth ?? 'secret', over.domain ?? 'chat.example.com', '', 'cookie', 'UA', '', over.key ?? 'key-1'];

describe('WhosOn simulator', () => {
  it('exposes its URL and the options a widget needs', () => {
    expect(sim.url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+$/);
    expect(sim.options).toEqual({ domain: 'chat.example.com', auth: 'secret', apiKey: 'key-1' });
  });

  it('answers Connect (any case) with the documented connected event and records the frame', async () => {
    const c = await client();
    c.send('cOnNeCt', connectParams());
    const connected = await c.next('connected');
    expect(connected.ChatUid).toBeNull();
    const data = connected.Data as Record<string, unknown>;
    expect(data.Domain).toBe('chat.example.com');
    expect(data.WebServicesURL).toBe(`${sim.url.replace('ws:', 'http:')}/whosoncharts/`);
    expect(data.SessionID).toMatch(/^[0-9a-f-]{36}$/);
    expect(sim.received.at(-1)).toMatchObject({ channel: 'ws', name: 'cOnNeCt', payload: connectParams() });
    c.ws.close();
  });

  it.each([
    ['auth', { auth: 'x' }, 'Access Denied'],
    ['domain', { domain: 'x.com' }, 'Access Denied'],
    ['API key', { key: 'x' }, 'Invalid API key.'],
  ])('a wrong %s → error and the socket closed', async (_w, over, message) => {
    const c = await client();
    c.send('Connect', connectParams(over));
    expect((await c.next('error')).Data).toBe(message);
    await waitFor(() => c.isClosed(), 'close');
  });

  it('rejects wrong parameter counts, unknown commands, garbage and a foreign session, and keeps going', async () => {
    const c = await client();
    c.send('Connect', connectParams());
    const sid = ((await c.next('connected')).Data as { SessionID: string }).SessionID;
    c.send('Message', [sid, 'chat.example.com']);
    c.send('Teleport', null);
    c.ws.send('{{{');
    c.send('Quit', ['someone-else', 'chat.example.com']);
    c.send('GetImage', [sid, 'chat.example.com', '3']);
    await waitFor(() => c.frames.filter((f) => f.EventName === 'error').length === 5, 'five errors');
    expect(c.frames.filter((f) => f.EventName === 'error').map((f) => f.Data)).toEqual([
      'Invalid parameters for Message.', 'Unknown command: Teleport', 'Invalid command.', 'Invalid session.', 'Invalid image type.',
    ]);
    c.send('GetImage', [sid, 'chat.example.com', '5']);
    expect((await c.next('image')).Data).toMatchObject({ ImageType: 5, Ext: '.png', Domain: 'chat.example.com' });
    c.ws.close();
  });

  it('File with a type outside AllowedFileTypes → the documented error; the upload endpoint stores and serves files', async () => {
    const c = await client();
    c.send('Connect', connectParams());
    const data = (await c.next('connected')).Data as { SessionID: string; WebServicesURL: string };
    c.send('Hello', ['Thomas', 'chat.example.com', '', '', data.SessionID, '', 'cookie', 'en', 'false', '<Fields></Fields>']);
    await c.next('accepted');
    c.send('File', [data.SessionID, 'chat.example.com', 'virus.exe', 'http://x/y']);
    expect((await c.next('error')).Data).toBe('You cannot upload files of this type.');

    const form = new FormData();
    form.append('SessionID', data.SessionID);
    form.append('Domain', 'chat.example.com');
    form.append('FileName', 'a.pdf');
    form.append('File', new Blob(['%PDF-1.4']), 'a.pdf');
    const res = await fetch(`${data.WebServicesURL}DocumentWriteForSite`, { method: 'POST', body: form });
    const url = await res.text();
    expect(url).toMatch(/\/whosoncharts\/document\.aspx\?f=[0-9a-f]{40}\.pdf$/);
    expect(await (await fetch(url)).text()).toBe('%PDF-1.4');

    const stranger = new FormData();
    stranger.append('SessionID', 'not-a-session');
    stranger.append('Domain', 'chat.example.com');
    stranger.append('FileName', 'a.pdf');
    stranger.append('File', new Blob(['x']), 'a.pdf');
    expect((await fetch(`${data.WebServicesURL}DocumentWriteForSite`, { method: 'POST', body: stranger })).status).toBe(400);
    c.ws.close();
  });
});
