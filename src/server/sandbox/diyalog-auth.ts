/**
 * Diyalog's API authentication (D2): the x-dlg-* headers, "DLGA <AccessKeyId>:<signature>",
 * the date format "EEE, dd MMM yyyy HH:mm:ss Z", the HMAC-SHA256 over method, content type,
 * date, the exact body and the path, and ±15 minutes of skew.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** D1/D2's HMAC error table. */
export const AUTH_ERRORS = {
  headers: [400, 'Required headers not found'],
  format: [400, 'Authorization failed due to data format not valid'],
  date: [400, 'Authorization failed due to date not valid'],
  signature: [401, 'Authorization failed'],
  skew: [403, 'Request time may not be correct.'],
} as const;

const MAX_SKEW_MS = 15 * 60_000;

export interface DiyalogApiKeys {
  accessKeyId: string;
  accessKeySecret: string;
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const DATE = /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), (\d{2}) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) (\d{4}) (\d{2}):(\d{2}):(\d{2})(?: (GMT|UTC|[+-]\d{4}))?$/;

/**
 * "EEE, dd MMM yyyy HH:mm:ss Z" → ms, or null. D2: a missing zone is taken as GMT. The weekday
 * must be the date's own (a strict reading of the pattern).
 */
export function parseDlgDate(text: string): number | null {
  const m = DATE.exec(text);
  if (!m) return null;
  const [, day, dd, mon, yyyy, hh, mi, ss, zone] = m;
  let ms = Date.UTC(Number(yyyy), MONTHS.indexOf(mon!), Number(dd), Number(hh), Number(mi), Number(ss));
  const check = new Date(ms);
  if (check.getUTCDate() !== Number(dd) || check.getUTCHours() !== Number(hh) || Number(mi) > 59 || Number(ss) > 59) return null;
  if (DAYS[check.getUTCDay()] !== day) return null;
  if (zone && /^[+-]/.test(zone)) {
    const sign = zone[0] === '-' ? -1 : 1;
    ms -= sign * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(3, 5))) * 60_000;
  }
  return ms;
}

/** D2's checks in the table's order; the refusal, or null when the request is Diyalog's. */
export function authenticate(req: IncomingMessage, raw: string, keys: DiyalogApiKeys, now: () => number): readonly [number, string] | null {
  const date = req.headers['x-dlg-date'];
  const requester = req.headers['x-dlg-requester-userid'];
  const authorization = req.headers['x-dlg-authorization'];
  if (typeof date !== 'string' || typeof requester !== 'string' || !requester || typeof authorization !== 'string') return AUTH_ERRORS.headers;
  const m = /^DLGA ([^\s:]+):([A-Za-z0-9+/]+={0,2})$/.exec(authorization);
  if (!m) return AUTH_ERRORS.format;
  const at = parseDlgDate(date);
  if (at === null) return AUTH_ERRORS.date;
  const toSign = [req.method ?? '', req.headers['content-type'] ?? '', date, raw, req.url ?? ''].join('\n');
  const expected = createHmac('sha256', keys.accessKeySecret).update(toSign, 'utf8').digest();
  const given = Buffer.from(m[2]!, 'base64');
  if (m[1] !== keys.accessKeyId || given.length !== expected.length || !timingSafeEqual(given, expected)) return AUTH_ERRORS.signature;
  if (Math.abs(now() - at) > MAX_SKEW_MS) return AUTH_ERRORS.skew;
  return null;
}
