/**
 * Diyalog's documented REST API, as the sandbox plays it and the relay's signed client calls
 * it, over real sockets: D1 (gettransactionhashforonlinehelp), D2 (HMAC signing and its error
 * table), finishonlinehelp. The refusals are checked against the fixture of D1/D2's table.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dlgDate, dlgHeaders } from '../../src/server/relay/adapters/diyalog-signing';
import { DiyalogApiError, diyalogApplicationApi, type DiyalogApiOptions } from '../../src/server/relay/adapters/transaction-hash-issuer';
import { parseDlgDate, startDiyalogSimulator, type DiyalogSimulatorHandle } from '../../src/server/sandbox/diyalog';

const fixture = (name: string) => readFileSync(fileURLToPath(new URL(`../fixtures/diyalog/${name}`, import.meta.url)), 'utf8');
/** D1/D2's table: status → message, in the table's order. */
const TABLE = fixture('api-authentication-errors.txt')
  .trim()
  .split('\n')
  .map((line) => line.split('\t') as [string, string]);
const message = (status: number, startsWith = '') => TABLE.find(([s, m]) => Number(s) === status && m.startsWith(startsWith))![1];

/** D2's sample moment; Diyalog's clock and ours are set to it. */
const DOC_NOW = Date.UTC(2021, 2, 9, 13, 28, 32);
const DOC_KEY_ID = '1234567-8ABC-DEF0-5432-56712ABCDEF5';
const SECRET = 'not-documented-test-secret';
const PATH = '/v1/application/gettransactionhashforonlinehelp';
const D1_REQUEST = JSON.parse(fixture('gettransactionhash-request.json')) as { customerId: string; deviceHash: string };

let sim: DiyalogSimulatorHandle;
let diyalogNow = DOC_NOW;
beforeAll(async () => {
  sim = await startDiyalogSimulator({ keys: { accessKeyId: DOC_KEY_ID, accessKeySecret: SECRET }, now: () => diyalogNow });
});
afterAll(() => sim.close());

function api(over: Partial<DiyalogApiOptions> = {}, logs: string[] = []) {
  return diyalogApplicationApi({
    apiBase: sim.apiBase,
    credentials: { accessKeyId: DOC_KEY_ID, accessKeySecret: SECRET, requesterUserId: '45186' },
    now: () => DOC_NOW,
    log: (m) => logs.push(m),
    ...over,
  });
}

/** A request signed for `signedBody` at `at`, sending `sentBody`, with header overrides. */
async function raw(opts: { signedBody?: string; sentBody?: string; at?: number; headers?: Record<string, string | null> } = {}) {
  const signedBody = opts.signedBody ?? JSON.stringify(D1_REQUEST);
  const headers: Record<string, string> = dlgHeaders(
    { accessKeyId: DOC_KEY_ID, accessKeySecret: SECRET, requesterUserId: '45186' },
    { method: 'POST', contentType: 'application/json', date: dlgDate(new Date(opts.at ?? DOC_NOW)), body: signedBody, resource: PATH },
  );
  for (const [k, v] of Object.entries(opts.headers ?? {})) {
    if (v === null) delete headers[k];
    else headers[k] = v;
  }
  const res = await fetch(`${sim.apiBase}${PATH}`, { method: 'POST', headers, body: opts.sentBody ?? signedBody });
  return { status: res.status, text: await res.text() };
}

describe("the sandbox's Diyalog REST API", () => {
  it("issues a transactionHash for D1's sample request, signed with D2's example inputs (its date and AccessKeyId)", async () => {
    const hash = await api().getTransactionHashForOnlineHelp(D1_REQUEST);
    expect(hash).toMatch(/^[0-9a-f]{40}$/);
    expect(sim.received.at(-1)).toMatchObject({ name: 'gettransactionhashforonlinehelp', payload: D1_REQUEST });
    // The D1 sample answer's shape, isSuccess and message included.
    const sample = JSON.parse(fixture('gettransactionhash-response.json')) as Record<string, unknown>;
    const answer = JSON.parse((await raw()).text) as Record<string, unknown>;
    expect(Object.keys(answer).sort()).toEqual(Object.keys(sample).sort());
    expect(answer).toMatchObject({ isSuccess: true, message: sample.message });
  });

  it('refuses a request without the three headers: 400 "Required headers not found"', async () => {
    for (const missing of ['x-dlg-date', 'x-dlg-requester-userid', 'x-dlg-authorization']) {
      expect(await raw({ headers: { [missing]: null } })).toEqual({ status: 400, text: message(400, 'Required') });
    }
  });

  it('refuses an authorization not of the form "DLGA <id>:<signature>": 400', async () => {
    const good = (await raw()).status;
    expect(good).toBe(200);
    for (const bad of ['HMAC abc:def', `DLGA ${DOC_KEY_ID}`, `DLGA${DOC_KEY_ID}:AAAA`, `DLGA ${DOC_KEY_ID}:not base64!`]) {
      expect(await raw({ headers: { 'x-dlg-authorization': bad } })).toEqual({ status: 400, text: message(400, 'Authorization failed due to data') });
    }
  });

  it('refuses a date not in "EEE, dd MMM yyyy HH:mm:ss Z": 400', async () => {
    for (const bad of ['2021-03-09T13:28:32Z', 'Tue, 9 Mar 2021 13:28:32 GMT', 'Wed, 09 Mar 2021 13:28:32 GMT', 'Tue, 09 Mar 2021 25:28:32 GMT']) {
      expect(await raw({ headers: { 'x-dlg-date': bad } })).toEqual({ status: 400, text: message(400, 'Authorization failed due to date') });
    }
  });

  it('reads the zone as D2 says: GMT, a numeric offset, or none (then GMT)', () => {
    expect(parseDlgDate('Tue, 09 Mar 2021 13:28:32 GMT')).toBe(DOC_NOW);
    expect(parseDlgDate('Tue, 09 Mar 2021 16:28:32 +0300')).toBe(DOC_NOW);
    expect(parseDlgDate('Tue, 09 Mar 2021 13:28:32')).toBe(DOC_NOW);
  });

  it('refuses a wrong signature: 401 "Authorization failed"', async () => {
    expect(await raw({ headers: { 'x-dlg-authorization': `DLGA ${DOC_KEY_ID}:RGiVxzM4jwqC3uQlEZISBXV5OJ7FBTqhTiMMNxV8uVg=` } })).toEqual({
      status: 401,
      text: message(401),
    });
    expect((await raw({ headers: { 'x-dlg-authorization': `DLGA someone-else:4J2OtxTeMpyfMad4y26RaKA/rrk=` } })).status).toBe(401);
  });

  it('refuses a signed header set reused with another body: 401', async () => {
    const other = JSON.stringify({ customerId: 'someone-else', deviceHash: D1_REQUEST.deviceHash });
    expect(await raw({ sentBody: other })).toEqual({ status: 401, text: message(401) });
  });

  it('refuses a date more than 15 minutes off, either way: 403 "Request time may not be correct."', async () => {
    expect(await raw({ at: DOC_NOW - 16 * 60_000 })).toEqual({ status: 403, text: message(403) });
    expect(await raw({ at: DOC_NOW + 16 * 60_000 })).toEqual({ status: 403, text: message(403) });
    expect((await raw({ at: DOC_NOW - 14 * 60_000 })).status).toBe(200);
  });

  it('the signed client honours isSuccess false as a failure', async () => {
    const logs: string[] = [];
    const err = await api({}, logs)
      .getTransactionHashForOnlineHelp({ customerId: '', deviceHash: D1_REQUEST.deviceHash })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DiyalogApiError);
    expect(err).toMatchObject({ reason: 'refused', status: 200 });
    expect(logs.join('\n')).toMatch(/isSuccess false: customerId and deviceHash are required/);
  });

  it("the signed client logs Diyalog's 401 and 403 messages and says which kind of failure it was", async () => {
    const logs: string[] = [];
    const wrongKey = api({ credentials: { accessKeyId: DOC_KEY_ID, accessKeySecret: 'wrong', requesterUserId: '45186' } }, logs);
    await expect(wrongKey.getTransactionHashForOnlineHelp(D1_REQUEST)).rejects.toMatchObject({ reason: 'config', status: 401 });
    const slowClock = api({ now: () => DOC_NOW - 20 * 60_000 }, logs);
    await expect(slowClock.getTransactionHashForOnlineHelp(D1_REQUEST)).rejects.toMatchObject({ reason: 'clock', status: 403 });
    expect(logs[0]).toMatch(/HTTP 401 Authorization failed/);
    expect(logs[1]).toMatch(/HTTP 403 Request time may not be correct\..*15 minutes/);
    expect(logs.join('\n')).not.toContain(SECRET);
  });

  it('finishonlinehelp without a held conversation: isSuccess false, errorCode 400, a failure', async () => {
    const logs: string[] = [];
    const finish = JSON.parse(fixture('finishonlinehelp-request.json')) as { customerId: string; staffId: string };
    await expect(api({}, logs).finishOnlineHelp(finish)).rejects.toMatchObject({ reason: 'refused' });
    expect(logs.at(-1)).toMatch(/No conversation found between peers\. \(errorCode 400\)/);
    expect(sim.received.at(-1)).toMatchObject({ name: 'finishonlinehelp', payload: finish });
  });

  it('the client refuses an http: API base except on loopback (D2: TLS is required)', () => {
    expect(() => api({ apiBase: 'http://api.diyalog.example' })).toThrow(/https:/);
    expect(() => api({ apiBase: 'https://user:pw@api.diyalog.example' })).toThrow(/credentials/);
    expect(() => api({ apiBase: 'https://api.diyalog.example/' })).not.toThrow();
  });
});
