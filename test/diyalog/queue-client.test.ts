/**
 * The relay's client of the site's queuing service (D4), against a plain HTTP server on
 * 127.0.0.1 answering with D4's own sample answer (verbatim, `=` and all).
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpQueuingService, parseCreateInteraction } from '../../src/server/relay/adapters/diyalog-queue';

const fixture = (name: string) => readFileSync(fileURLToPath(new URL(`../fixtures/diyalog/${name}`, import.meta.url)), 'utf8');
const D4_ANSWER = fixture('create-interaction-response.txt');
const D4_REQUEST = JSON.parse(fixture('create-interaction-request.json')) as {
  identityNumber: string;
  customerId: string;
  attachedData: Record<string, string>;
};

let base = '';
let answer = { status: 200, body: D4_ANSWER };
const seen: Array<{ method: string; url: string; body: string; type: string }> = [];
const server = createServer((req: IncomingMessage, res) => {
  let body = '';
  req.on('data', (c: Buffer) => (body += String(c)));
  req.on('end', () => {
    seen.push({ method: req.method ?? '', url: req.url ?? '', body, type: req.headers['content-type'] ?? '' });
    res.writeHead(answer.status, { 'content-type': 'application/json' }).end(answer.body);
  });
});
beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/queue`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe("the queuing service client (D4)", () => {
  it("POSTs D4's fields to <url>/CreateInteraction and reads the interaction id from D4's sample answer", async () => {
    answer = { status: 200, body: D4_ANSWER };
    const id = await httpQueuingService(base).createInteraction(D4_REQUEST);
    expect(id).toBe('2121212121212');
    expect(seen.at(-1)).toMatchObject({ method: 'POST', url: '/queue/CreateInteraction', type: 'application/json' });
    expect(JSON.parse(seen.at(-1)!.body)).toEqual(D4_REQUEST);
  });

  it('DELETEs <url>/<interactionId>, and a queue that already forgot it (404) is fine', async () => {
    answer = { status: 404, body: '{}' };
    await httpQueuingService(base).deleteInteraction('2121212121212');
    expect(seen.at(-1)).toMatchObject({ method: 'DELETE', url: '/queue/2121212121212' });
    answer = { status: 500, body: 'down' };
    await expect(httpQueuingService(base).deleteInteraction('2121212121212')).rejects.toThrow(/HTTP 500/);
    await expect(httpQueuingService(base).deleteInteraction('../admin')).rejects.toThrow(/invalid id/);
  });

  it('success false, a missing or odd id, or an HTTP error is a failure with the reason', async () => {
    expect(parseCreateInteraction('{"success": false, "errorMessage": "Queue closed"}')).toEqual({ error: 'Queue closed' });
    expect(parseCreateInteraction('{"success": true, "result": {}}')).toEqual({ error: 'no usable interactionId' });
    expect(parseCreateInteraction('{"success": true, "result": {"interactionId": "a/b"}}')).toEqual({ error: 'no usable interactionId' });
    expect(parseCreateInteraction('{"success": true, "result": {"interactionId": 42}}')).toEqual({ interactionId: '42' });
    expect(parseCreateInteraction('<html>')).toEqual({ error: 'the answer is not JSON' });
    answer = { status: 503, body: '{}' };
    await expect(httpQueuingService(base).createInteraction(D4_REQUEST)).rejects.toThrow(/HTTP 503/);
  });

  it('an answer far over the cap is not read whole, and is refused', async () => {
    answer = { status: 200, body: `{"success": true, "pad": "${'x'.repeat(200_000)}"}` };
    await expect(httpQueuingService(base).createInteraction(D4_REQUEST)).rejects.toThrow(/not JSON/);
  });

  it('is https: only (http: on loopback for the sandbox)', () => {
    expect(() => httpQueuingService('http://queue.example.com')).toThrow(/DIYALOG_QUEUE_URL must be an https: URL/);
    expect(() => httpQueuingService('https://queue.example.com/api')).not.toThrow();
  });
});
