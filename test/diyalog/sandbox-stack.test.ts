/**
 * The sandbox's Diyalog stack (simulator + relay + the site's endpoint) and its two test
 * hooks the end-to-end journeys use: a site endpoint that forges the document's sample hash,
 * and a one-shot failure of the real endpoint.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DOCUMENT_SAMPLE_HASH,
  FORGED_TRANSACTION_PATH,
  TRANSACTION_PATH,
  startDiyalogWithRelay,
  type DiyalogStack,
} from '../../src/server/sandbox/diyalog-stack';

const ORIGIN = 'http://127.0.0.1:9';
let stack: DiyalogStack;
let url = '';

const post = (url: string) =>
  fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: ORIGIN },
    body: JSON.stringify({ customerId: '123458', deviceHash: 'dev-12345678' }),
  });

beforeAll(async () => {
  stack = await startDiyalogWithRelay({ agent: { delayScale: 0.02 }, origin: ORIGIN });
  url = stack.attributes.transactionUrl ?? '';
});
afterAll(() => stack.close());

describe('the sandbox Diyalog stack', () => {
  it('issues real hashes on the site endpoint', async () => {
    const res = await post(url);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { transactionHash: string };
    expect(body.transactionHash).toMatch(/^[0-9a-f]{40}$/);
    expect(body.transactionHash).not.toBe(DOCUMENT_SAMPLE_HASH);
  });

  it("the forged endpoint answers the document's sample hash, with CORS for the page", async () => {
    const res = await post(url.replace(TRANSACTION_PATH, FORGED_TRANSACTION_PATH));
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    expect(await res.json()).toEqual({ transactionHash: DOCUMENT_SAMPLE_HASH, customerId: '123458' });
  });

  it('failNextStart fails the next POST only, readable cross-origin, and leaves preflights alone', async () => {
    stack.failNextStart(502);
    const preflight = await fetch(url, {
      method: 'OPTIONS',
      headers: { origin: ORIGIN, 'access-control-request-method': 'POST' },
    });
    expect(preflight.status).toBe(204);
    const failed = await post(url);
    expect(failed.status).toBe(502);
    expect(failed.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    expect((await post(url)).status).toBe(200);
  });
});
