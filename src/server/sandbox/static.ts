/** A small static file server for the demo page and the built widget (dist/). */
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.map': 'application/json',
  '.d.ts': 'text/plain; charset=utf-8',
};

/** Serves `dir`; answers false when the path is not a file there (the caller answers 404). */
export async function serveStatic(
  dir: string,
  req: IncomingMessage,
  res: ServerResponse,
  headers: Record<string, string> = {},
  gzip = false,
): Promise<boolean> {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  let path: string;
  try {
    path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
  } catch {
    return false;
  }
  if (path.endsWith('/')) path += 'index.html';
  const file = normalize(join(dir, path));
  if (!file.startsWith(normalize(dir) + sep)) return false; // no escaping the folder
  try {
    const info = await stat(file);
    if (!info.isFile()) return false;
    const type = TYPES[extname(file)] ?? 'application/octet-stream';
    // Opt-in (the benchmark): transfer text as a CDN would, so byte and throttled timings are realistic.
    if (gzip && /text|json|svg/.test(type) && /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''))) {
      const body = gzipSync(await readFile(file), { level: 9 });
      res.writeHead(200, { 'content-type': type, 'content-encoding': 'gzip', 'content-length': String(body.length), 'cache-control': 'no-cache', vary: 'Accept-Encoding', ...headers });
      res.end(req.method === 'HEAD' ? undefined : body);
      return true;
    }
    res.writeHead(200, {
      'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
      'content-length': String(info.size),
      'cache-control': 'no-cache',
      // Chunks are ES modules: a page on another origin may only import() them with CORS,
      // as a CDN serving dist/ would allow.
      'access-control-allow-origin': '*',
      ...headers,
    });
    if (req.method === 'HEAD') res.end();
    else createReadStream(file).pipe(res);
    return true;
  } catch {
    return false;
  }
}
