/**
 * ExpertFlow CX's HTTP side: the widget configuration, the pre-chat form, and the file server
 * (uploadFileStream, multipart, with the newer generation's Bearer token; downloadFileStream).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { CX_FORM, CX_FORM_ID, CX_WIDGET, FILE_NAME, MAX_UPLOAD, parseMultipart } from './expertflow-cx-data';
import { allowLoopbackCors } from './loopback-cors';

export interface CxHttpLink {
  generation: 'newer' | 'older';
  files: Map<string, { mime: string; data: Buffer }>;
  /** The tokens the server generated (an upload must carry one). */
  tokens(): Set<string | undefined>;
  record(channel: string, name: string, payload: unknown): void;
  violation(what: string): void;
}

export function cxHttp(ctx: CxHttpLink): (req: IncomingMessage, res: ServerResponse) => void {
  async function upload(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > MAX_UPLOAD) return json(res, 413, { statusCode: 413, message: 'Request Entity Too Large' });
      chunks.push(chunk as Buffer);
    }
    const auth = req.headers.authorization ?? '';
    const tokens = ctx.tokens();
    ctx.record('http', 'POST /api/uploadFileStream', { authorization: auth ? auth.replace(/\.[^.]+$/, '.…') : '', bytes: size });
    if (ctx.generation === 'newer' && !tokens.has(auth.replace(/^Bearer /, ''))) {
      ctx.violation('upload without the Bearer token the server generated');
      return json(res, 401, { message: 'Unauthorized' });
    }
    const parts = parseMultipart(Buffer.concat(chunks), req.headers['content-type'] ?? '');
    const file = parts?.get('file');
    if (!parts || !file?.filename) {
      ctx.violation('upload that is not multipart with a file part');
      return json(res, 400, { message: 'file is required' });
    }
    if (!parts.has('conversationId')) ctx.violation('upload without conversationId');
    if (!FILE_NAME.test(file.filename)) return json(res, 400, { message: 'The file name contains special characters.' });
    const mime = file.mime ?? 'application/octet-stream';
    ctx.files.set(file.filename, { mime, data: file.data });
    json(res, 200, { name: file.filename, type: mime, size: file.data.length });
  }

  function json(res: ServerResponse, status: number, body: unknown): void {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  }

  const listener = (req: IncomingMessage, res: ServerResponse): void => {
    allowLoopbackCors(req, res, 'content-type, authorization');
    if (req.method === 'OPTIONS') {
      res.writeHead(204);
      return void res.end();
    }
    const url = new URL((req.url ?? '/').slice(0, 2048), 'http://sandbox');
    const path = url.pathname;
    if (req.method === 'GET' && path.startsWith('/widget-configs/')) {
      ctx.record('http', `GET ${path}`, null);
      if (decodeURIComponent(path.slice(16)) !== CX_WIDGET) return json(res, 404, { message: 'widget configuration not found' });
      return json(res, 200, {
        widgetIdentifier: CX_WIDGET,
        title: 'Expertflow',
        subTitle: 'Cx',
        theme: '#2889e9',
        enableFontResize: true,
        enableEmoji: true,
        enableFileTransfer: true,
        enableDynamicLink: false,
        enableDownloadTranscript: false,
        customerReconnectTime: 0,
        language: { code: 'en' },
        form: CX_FORM_ID,
        webRtc: null,
        callback: null,
        webhook: null,
      });
    }
    if (req.method === 'GET' && path.startsWith('/forms/')) {
      ctx.record('http', `GET ${path}`, null);
      return decodeURIComponent(path.slice(7)) === CX_FORM_ID ? json(res, 200, CX_FORM) : json(res, 404, { message: 'form not found' });
    }
    if (req.method === 'POST' && path === '/api/uploadFileStream') {
      return void upload(req, res).catch(() => {
        if (!res.headersSent) json(res, 500, { message: 'Internal Server Error' });
        else res.end();
      });
    }
    if (req.method === 'GET' && path === '/api/downloadFileStream') {
      const f = ctx.files.get(url.searchParams.get('filename') ?? '');
      if (!f) return json(res, 404, { message: 'file not found' });
      res.writeHead(200, { 'content-type': f.mime, 'content-length': f.data.length });
      return void res.end(f.data);
    }
    json(res, 404, { message: 'Not Found' });
  };
  return listener;
}
