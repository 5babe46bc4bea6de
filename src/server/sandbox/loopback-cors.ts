import type { IncomingMessage, ServerResponse } from 'node:http';

export const LOOPBACK_ORIGIN = /^https?:\/\/(localhost|127(\.\d{1,3}){3}|\[::1\])(:\d{1,5})?$/;

/** CORS for pages on this machine only (the demo and the tests): a simulator answers nobody else's page. */
export function allowLoopbackCors(req: IncomingMessage, res: ServerResponse, headers: string): void {
  const origin = req.headers.origin;
  if (!origin || !LOOPBACK_ORIGIN.test(origin)) return;
  res.setHeader('access-control-allow-origin', origin);
  res.setHeader('vary', 'Origin');
  res.setHeader('access-control-allow-methods', 'GET, POST, OPTIONS');
  res.setHeader('access-control-allow-headers', headers);
}
