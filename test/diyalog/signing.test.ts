/**
 * Diyalog's HMAC signing (D2: diyalog-api-authentication) with the documentation's own example
 * inputs, read from the verbatim fixtures.
 *
 * What the documentation gives and what it does not: its curl sample shows the date, the
 * AccessKeyId, the body, the path and a signature `4J2OtxTeMpyfMad4y26RaKA/rrk=`, but no
 * AccessKeySecret, and that signature decodes to 20 bytes (an HMAC-SHA1 length; HMAC-SHA256
 * gives 32). So the documented signature cannot be reproduced by anyone, and the tests below
 * say so. The expected signatures here were computed outside this code, with
 *   printf '<string to sign>' | openssl dgst -sha256 -hmac 'not-documented-test-secret' -binary | base64
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { dlgDate, dlgHeaders, dlgSignature, stringToSign } from '../../src/server/relay/adapters/diyalog-signing';

const fixture = (name: string) => readFileSync(fileURLToPath(new URL(`../fixtures/diyalog/${name}`, import.meta.url)), 'utf8');
const SECRET = 'not-documented-test-secret';

/** The parts of D2's curl sample. */
function curlSample() {
  const curl = fixture('api-authentication-curl.txt');
  const header = (name: string) => new RegExp(`--header '${name}: ([^']*)'`).exec(curl)![1]!;
  const url = /--request (\w+) '([^']+)'/.exec(curl)!;
  const body = /--data-raw '([\s\S]*?)'\s*$/.exec(curl)![1]!;
  const authorization = header('x-dlg-authorization');
  const [, accessKeyId, signature] = /^DLGA ([^:]+):(.+)$/.exec(authorization)!;
  return {
    parts: { method: url[1]!, contentType: header('Content-Type'), date: header('x-dlg-date'), body, resource: new URL(url[2]!).pathname },
    requester: header('x-dlg-requester-userid'),
    accessKeyId: accessKeyId!,
    documentedSignature: signature!,
  };
}

describe("Diyalog request signing, with D2's example inputs", () => {
  const sample = curlSample();

  it('writes the date in D2\'s format ("Tue, 09 Mar 2021 13:28:32 GMT")', () => {
    expect(dlgDate(new Date(Date.UTC(2021, 2, 9, 13, 28, 32)))).toBe(sample.parts.date);
    expect(sample.parts.date).toBe('Tue, 09 Mar 2021 13:28:32 GMT');
  });

  it('builds the string to sign: method, content type, date, the exact body, the path, one newline between each', () => {
    expect(stringToSign(sample.parts)).toBe(
      'POST\napplication/json\nTue, 09 Mar 2021 13:28:32 GMT\n{\n    "customerId" : "2337368",\n    "agentUserId" : "45186",\n    "startDate" : 1,\n    "endDate" : 2\n}\n/v1/reporting/getonlinehelplist',
    );
  });

  it('signs it with HMAC-SHA256 in base64 (checked against openssl)', () => {
    expect(dlgSignature(SECRET, sample.parts)).toBe('RGiVxzM4jwqC3uQlEZISBXV5OJ7FBTqhTiMMNxV8uVg=');
  });

  it("signs D1's sample request body as written and as the relay sends it (compact JSON)", () => {
    const common = { method: 'POST', contentType: 'application/json', date: sample.parts.date, resource: '/v1/application/gettransactionhashforonlinehelp' };
    const asWritten = fixture('gettransactionhash-request.json').trimEnd();
    expect(dlgSignature(SECRET, { ...common, body: asWritten })).toBe('cAqBLyM4r8KV4Lvkryf/YyYS2aMSq4VG52aqNBSGYyI=');
    const compact = JSON.stringify(JSON.parse(asWritten));
    expect(dlgSignature(SECRET, { ...common, body: compact })).toBe('HdOIYYqt4iQDzN1YyBChatUyQE/itR+IF7mxWmuZwOs=');
  });

  it('puts the three headers together as D2 shows: "DLGA <AccessKeyId>:<signature>"', () => {
    const headers = dlgHeaders({ accessKeyId: sample.accessKeyId, accessKeySecret: SECRET, requesterUserId: sample.requester }, sample.parts);
    expect(headers).toEqual({
      'content-type': 'application/json',
      'x-dlg-date': 'Tue, 09 Mar 2021 13:28:32 GMT',
      'x-dlg-requester-userid': '45186',
      'x-dlg-authorization': 'DLGA 1234567-8ABC-DEF0-5432-56712ABCDEF5:RGiVxzM4jwqC3uQlEZISBXV5OJ7FBTqhTiMMNxV8uVg=',
    });
  });

  it("does not (and cannot) reproduce D2's sample signature: it is 20 bytes and no secret is documented", () => {
    expect(sample.documentedSignature).toBe('4J2OtxTeMpyfMad4y26RaKA/rrk=');
    expect(Buffer.from(sample.documentedSignature, 'base64')).toHaveLength(20);
    const ours = dlgSignature(SECRET, sample.parts);
    expect(Buffer.from(ours, 'base64')).toHaveLength(32);
    expect(ours).not.toBe(sample.documentedSignature);
  });

  it('a different body, date, path or secret changes the signature', () => {
    const base = dlgSignature(SECRET, sample.parts);
    expect(dlgSignature(SECRET, { ...sample.parts, body: sample.parts.body.replace('2337368', '2337369') })).not.toBe(base);
    expect(dlgSignature(SECRET, { ...sample.parts, date: 'Tue, 09 Mar 2021 13:28:33 GMT' })).not.toBe(base);
    expect(dlgSignature(SECRET, { ...sample.parts, resource: '/v1/reporting/getcalllist' })).not.toBe(base);
    expect(dlgSignature(`${SECRET}x`, sample.parts)).not.toBe(base);
  });
});
