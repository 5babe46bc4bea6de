/**
 * Serves the Tencent loopback client (tencent-loopback-client.ts) to pages the sandbox hosts, as
 * one ES module at `…/sandbox/tencent-loopback.js`: the Tencent transport imports it from there,
 * relative to its own chunk, when the widget has `data-sandbox`. So the sandbox's stand-in for
 * Tencent's SDK is never part of the product build (dist/), and a page still loads it from its
 * own origin (a CSP of `script-src 'self'` allows it). Bundled once, on the first request.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';

/** The path the transport asks for, relative to `assets/` (see src/transports/tencent/transport.ts). */
export const LOOPBACK_MODULE_PATH = '/sandbox/tencent-loopback.js';

let bundle: Promise<string> | undefined;

async function build(): Promise<string> {
  const esbuild = await import('esbuild');
  const out = await esbuild.build({
    entryPoints: [fileURLToPath(new URL('./tencent-loopback-client.ts', import.meta.url))],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2020',
    write: false,
    logLevel: 'silent',
  });
  return out.outputFiles[0]?.text ?? '';
}

/** Answers a GET for the loopback client module; false for any other request. */
export async function serveLoopbackModule(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
  const path = new URL(req.url ?? '/', 'http://x').pathname;
  if (req.method !== 'GET' || !path.endsWith(LOOPBACK_MODULE_PATH)) return false;
  bundle ??= build();
  let code: string;
  try {
    code = await bundle;
  } catch (e) {
    bundle = undefined;
    res.writeHead(500, { 'content-type': 'text/plain' }).end(`the loopback client did not build: ${String(e)}`);
    return true;
  }
  res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-store' }).end(code);
  return true;
}
