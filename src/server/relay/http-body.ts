/**
 * Hookpoint bodies in the three shapes a vendor may send (JSON, urlencoded form, multipart),
 * plus query-string fields (Omnidesk's document calls its hookpoint fields "Path Parameters",
 * so a careful integrator accepts them there too; the body wins on a clash). Everything is
 * size-capped while it streams in: nothing unbounded is ever buffered.
 */
import type { IncomingMessage } from 'node:http';
import busboy from 'busboy';
import type { HookpointBody, RelayFile } from './adapter';

export interface BodyLimits {
  /** JSON / form bodies and each multipart text field. */
  maxBodyBytes: number;
  /** One uploaded file. */
  maxUploadBytes: number;
}

export class BodyError extends Error {
  constructor(
    readonly status: 400 | 413 | 415,
    message: string,
  ) {
    super(message);
  }
}

type Fields = HookpointBody['fields'];

function readCapped(req: IncomingMessage, max: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > max) {
      reject(new BodyError(413, 'body too large'));
      req.resume();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > max) {
        reject(new BodyError(413, 'body too large'));
        req.removeAllListeners('data');
        req.resume();
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function fromJson(buf: Buffer): Fields {
  let parsed: unknown;
  try {
    parsed = JSON.parse(buf.toString('utf8') || '{}');
  } catch {
    throw new BodyError(400, 'invalid JSON');
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new BodyError(400, 'JSON body must be an object');
  const fields: Fields = {};
  for (const [k, v] of Object.entries(parsed)) {
    if (v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') fields[k] = v;
  }
  return fields;
}

function fromMultipart(req: IncomingMessage, limits: BodyLimits): Promise<HookpointBody> {
  return new Promise((resolve, reject) => {
    let bb: busboy.Busboy;
    try {
      bb = busboy({
        headers: req.headers,
        limits: { fileSize: limits.maxUploadBytes, files: 1, fields: 32, fieldSize: limits.maxBodyBytes, parts: 40 },
      });
    } catch {
      reject(new BodyError(400, 'bad multipart body'));
      return;
    }
    const fields: Fields = {};
    const files: RelayFile[] = [];
    let failed = false;
    const streams: { resume(): unknown }[] = [];
    const fail = (err: BodyError) => {
      if (failed) return;
      failed = true;
      req.unpipe(bb);
      req.resume();
      // Whatever was half read is dropped; the parts' streams are not read again.
      for (const s of streams) s.resume();
      reject(err);
    };
    // The sender went away inside the body (a reset mid-upload): busboy never sees the end of
    // the form, so without this the request would hang and its parts stay buffered.
    req.on('error', () => fail(new BodyError(400, 'body cut off')));
    req.on('close', () => {
      if (!req.complete) fail(new BodyError(400, 'body cut off'));
    });
    bb.on('field', (name, value, info) => {
      if (info.valueTruncated) fail(new BodyError(413, `field ${name} too large`));
      else fields[name] = value;
    });
    bb.on('file', (_name, stream, info) => {
      const chunks: Buffer[] = [];
      streams.push(stream);
      // A file part can fail on its own (the form ends inside it): that ends this request only.
      stream.on('error', () => fail(new BodyError(400, 'file part cut off')));
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('limit', () => fail(new BodyError(413, 'file too large')));
      stream.on('close', () => {
        if (!failed && !stream.truncated) {
          files.push({
            name: info.filename || 'file',
            mime: info.mimeType || 'application/octet-stream',
            bytes: new Uint8Array(Buffer.concat(chunks)),
          });
        }
      });
    });
    bb.on('partsLimit', () => fail(new BodyError(413, 'too many parts')));
    bb.on('filesLimit', () => fail(new BodyError(413, 'too many files')));
    bb.on('fieldsLimit', () => fail(new BodyError(413, 'too many fields')));
    bb.on('error', () => fail(new BodyError(400, 'bad multipart body')));
    bb.on('close', () => {
      if (!failed) resolve({ fields, files });
    });
    req.pipe(bb);
  });
}

export async function readHookpointBody(req: IncomingMessage, limits: BodyLimits): Promise<HookpointBody> {
  const query: Fields = {};
  const search = new URL(req.url ?? '/', 'http://relay').searchParams;
  for (const [k, v] of search) query[k] = v;
  const type = (req.headers['content-type'] ?? '').toLowerCase();
  if (type.startsWith('multipart/form-data')) {
    const body = await fromMultipart(req, limits);
    return { fields: { ...query, ...body.fields }, files: body.files };
  }
  const buf = await readCapped(req, limits.maxBodyBytes);
  if (type.startsWith('application/json')) return { fields: { ...query, ...fromJson(buf) }, files: [] };
  if (type.startsWith('application/x-www-form-urlencoded') || (!type && buf.length === 0)) {
    const fields: Fields = { ...query };
    for (const [k, v] of new URLSearchParams(buf.toString('utf8'))) fields[k] = v;
    return { fields, files: [] };
  }
  throw new BodyError(415, 'unsupported content type');
}

/** A field by name, ignoring case (vendors spell `sessionID`, `SessionID`, `sessionId`…). */
export function field(body: HookpointBody, name: string): string | number | boolean | null | undefined {
  if (name in body.fields) return body.fields[name];
  const lower = name.toLowerCase();
  for (const [k, v] of Object.entries(body.fields)) if (k.toLowerCase() === lower) return v;
  return undefined;
}
