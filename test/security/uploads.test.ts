/**
 * Issue 15 row 14: files are judged by their bytes against the extension allowlist, served
 * with the type their bytes earn (never a declared text/html or image/svg+xml), and their
 * names lose bidi controls. Visitor uploads over the widget's socket, agent uploads over the
 * hookpoint, downloads over HTTP.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { calls, hookUrl, type Stack, startStack, visitor, waitFor } from '../relay/harness';

const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);
const HTML = new TextEncoder().encode('<html><script>alert(document.domain)</script></html>');

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.close();
});

async function chat() {
  const v = visitor(stack.relay.url);
  v.transport.send({ type: 'start', visitor: {}, answers: {} });
  const chatId = String((await waitFor(() => v.of('accepted')[0], 'accepted')).chatId);
  return { v, chatId };
}

describe('issue 15 row 14: uploads', () => {
  it('row 14: a visitor ".png" that is HTML is refused before Omnidesk sees it', async () => {
    const { v } = await chat();
    v.transport.send({ type: 'send-file', clientId: 'f-html', file: new Blob([HTML], { type: 'text/html' }), name: 'cat.png' });
    await waitFor(() => v.of('error').find((e) => e.code === 'file-type'), 'file-type error');
    expect(calls(stack.sim, '/chat/addAttachment')).toEqual([]);
    expect(v.of('message').some((e) => e.message.clientId === 'f-html')).toBe(false);
    v.transport.close();
  });

  it('row 14: a real PNG declared text/html, named with a right-to-left override, is sent as image/png under a clean name', async () => {
    const { v } = await chat();
    v.transport.send({ type: 'send-file', clientId: 'f-png', file: new Blob([PNG], { type: 'text/html' }), name: 'invoice\u202Egnp.exe.png' });
    const echo = await waitFor(() => v.of('message').find((e) => e.message.clientId === 'f-png'), 'echo');
    const a = echo.message.attachments![0]!;
    expect(a.name).toBe('invoicegnp.exe.png');
    const res = await fetch(a.url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    expect(res.headers.get('content-disposition')).not.toMatch(/%E2%80%AE/i);
    expect(calls(stack.sim, '/chat/addAttachment').length).toBeGreaterThan(0);
    v.transport.close();
  });

  it('row 14: agent files whose bytes do not match their name, or that are active content, are served as plain downloads', async () => {
    const { v, chatId } = await chat();
    const upload = (name: string, bytes: Uint8Array<ArrayBuffer>, type: string) => {
      const form = new FormData();
      form.set('sessionID', chatId);
      form.set('file', new Blob([bytes], { type }), name);
      return fetch(hookUrl(stack.sim, chatId, 'uploadForCustomer'), { method: 'POST', body: form });
    };
    expect((await upload('photo.png', HTML, 'text/html')).status).toBe(200);
    expect((await upload('logo.svg', new TextEncoder().encode('<svg onload="alert(1)"/>'), 'image/svg+xml')).status).toBe(200);
    expect((await upload('real.png', PNG, 'image/png')).status).toBe(200);
    const served = async (name: string) => {
      const f = await waitFor(() => v.of('message').flatMap((e) => e.message.attachments ?? []).find((x) => x.name === name), name);
      return (await fetch(f.url)).headers.get('content-type');
    };
    expect(await served('photo.png')).toBe('application/octet-stream');
    expect(await served('logo.svg')).toBe('application/octet-stream');
    expect(await served('real.png')).toBe('image/png');
    v.transport.close();
  });
});
