/** The sandbox WhosOn server, driven by a raw WebSocket client: it must hold the document's line. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { startWhosOnSimulator, type WhosOnSimulatorHandle } from '../../src/server/sandbox/whoson';
import { waitFor } from './helpers';

interface Frame {
  EventName: string;
  ChatUid: string | null;
  Data: unknown;
}

let sim: WhosOnSimulatorHandle;
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

    // The Document Store: SOAP 1.1 DocumentWriteForSite (notes W2's DocumentWrite shape).
    const upload = async (fileName: string, sessionId: string, contents = Buffer.from('%PDF-1.4').toString('base64')) => {
      const res = await fetch(`${data.WebServicesURL}cannedresponseservice.asmx`, {
        method: 'POST',
        headers: { 'Content-Type': 'text/xml; charset=utf-8', SOAPAction: '"http://www.whoson.com/webservices/kb/DocumentWriteForSite"' },
        body: '<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>' +
          `<DocumentWriteForSite xmlns="http://www.whoson.com/webservices/kb/"><Contents>${contents}</Contents><FileName>${fileName}</FileName>` +
          `<Domain>chat.example.com</Domain><SessionID>${sessionId}</SessionID></DocumentWriteForSite></soap:Body></soap:Envelope>`,
      });
      return { status: res.status, result: /<DocumentWriteForSiteResult>([^<]*)</.exec(await res.text())?.[1] ?? null };
    };
    const ok = await upload('a.pdf', data.SessionID);
    expect(ok.status).toBe(200);
    const url = (ok.result ?? '').replace(/&amp;/g, '&');
    expect(url).toMatch(/\/whosoncharts\/document\.aspx\?f=[0-9a-f]{40}\.pdf$/);
    expect(await (await fetch(url)).text()).toBe('%PDF-1.4');
    // Refusals are results containing "Error" (what Parker's client checks for).
    expect((await upload('a.pdf', 'not-a-session')).result).toMatch(/Error/);
    expect((await upload('a.exe', data.SessionID)).result).toMatch(/Error/);
    // Not SOAP (our old multipart guess): a fault, recorded as a violation.
    const form = new FormData();
    form.append('File', new Blob(['x']), 'a.pdf');
    expect((await fetch(`${data.WebServicesURL}cannedresponseservice.asmx`, { method: 'POST', body: form })).status).toBe(500);
    expect((await fetch(`${data.WebServicesURL}DocumentWriteForSite`, { method: 'POST', body: form })).status).toBe(404);
    expect(sim.violations.at(-1)).toMatch(/not text\/xml/);
    c.ws.close();
  });

  it('past the page timeout: linewaiting2 then final, and the chat keeps waiting until Quit', async () => {
    // Final at 700 ms (scaled: 210), the agent would join at 1,000 (300).
    const timed = await startWhosOnSimulator({ agent: { delayScale: 0.3, queueFrom: 0, pageTimeoutMs: 700 }, auth: 'a', domain: 'd.example', apiKey: 'k' });
    const chat = async () => {
      const ws = new WebSocket(timed.url);
      const frames: Frame[] = [];
      ws.on('message', (d) => frames.push(JSON.parse(d.toString()) as Frame));
      await new Promise((r) => ws.once('open', r));
      const send = (Command: string, Parameters: string[]) => ws.send(JSON.stringify({ Command, Parameters }));
      send('Connect', ['a', 'd.example', '', 'cookie', 'UA', '', 'k']);
      const connected = await waitFor(() => frames.find((f) => f.EventName === 'connected'), 'connected');
      const sid = (connected.Data as { SessionID: string }).SessionID;
      send('Hello', ['Thomas', 'd.example', '', '', sid, '', 'cookie', 'en', 'false', '']);
      const classes = () => frames.filter((f) => f.EventName === 'newline').map((f) => (f.Data as { Classname: string }).Classname);
      await waitFor(() => classes().includes('lineo final'), 'final');
      return { ws, frames, classes, quit: () => send('Quit', [sid, 'd.example']) };
    };
    try {
      const [left, kept] = await Promise.all([chat(), chat()]);
      left.quit();
      expect(kept.classes()).toEqual(['pagingmessage', 'lineo linewaiting1', 'lineo linewaiting2', 'lineo final']);
      // Without a Quit an operator may still take the chat (the document's reason to send it).
      await waitFor(() => kept.frames.some((f) => f.EventName === 'operatorjoined'), 'operator joins the kept chat');
      await new Promise((r) => setTimeout(r, 100));
      expect(left.frames.some((f) => f.EventName === 'operatorjoined')).toBe(false);
      expect(timed.received.filter((f) => f.name === 'Quit')).toHaveLength(1);
      left.ws.close();
      kept.ws.close();
    } finally {
      await timed.close();
    }
  });
});
