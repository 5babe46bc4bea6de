/**
 * The WhosOn sandbox's Document Store, on the chat server's HTTP port:
 *   POST /whosoncharts/cannedresponseservice.asmx   SOAP 1.1 DocumentWriteForSite
 *   GET  /whosoncharts/document.aspx?f=<id>.<ext>  the uploaded bytes
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import { readBody } from './read-body';
import type { ReceivedFrame } from './types';
import { allowedTypes, escapeHtml } from './whoson-frames';

/** Where Parker's own client calls the Document Store (W2 file-menu.js). */
const SOAP_SERVICE = 'cannedresponseservice.asmx';
const MAX_UPLOAD = 5 * 1024 * 1024;

const KB = 'http://www.whoson.com/webservices/kb/';
const MIME: Record<string, string> = {
  pdf: 'application/pdf', txt: 'text/plain', png: 'image/png', jpg: 'image/jpeg', gif: 'image/gif', bmp: 'image/bmp', xml: 'application/xml',
};

/** What the store needs from the chat server. */
export interface DocumentStoreLink {
  domain: string;
  /** The SessionIDs of the open connections (an upload names one). */
  sessions: ReadonlySet<string>;
  received: ReceivedFrame[];
  violation(what: string): void;
  maxUploadBytes?: number | undefined;
  /** The server's own origin, known once it listens. */
  origin(): string;
}

/** The HTTP side of the chat server (documents, and 404 for anything else). */
export function documentStore(store: DocumentStoreLink): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const documents = new Map<string, { mime: string; bytes: Buffer }>();
  async function handleHttp(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', store.origin());
    // The widget uploads from the page's origin: the site's IIS would allow it (CORS).
    res.setHeader('Access-Control-Allow-Origin', '*');
    if (req.method === 'OPTIONS') {
      return void res.writeHead(204, {
        'Access-Control-Allow-Methods': 'POST, GET',
        'Access-Control-Allow-Headers': 'Content-Type, SOAPAction',
      }).end();
    }
    if (req.method === 'POST' && url.pathname === `/whosoncharts/${SOAP_SERVICE}`) return documentWrite(req, res);
    if (req.method === 'GET' && url.pathname === '/whosoncharts/document.aspx') {
      const doc = documents.get(url.searchParams.get('f') ?? '');
      if (!doc) return void res.writeHead(404).end();
      return void res
        .writeHead(200, { 'Content-Type': doc.mime, 'X-Content-Type-Options': 'nosniff', 'Content-Disposition': 'attachment' })
        .end(doc.bytes);
    }
    res.writeHead(404).end();
  }

  /**
   * The Document Store as an ASMX SOAP 1.1 service (notes W2: Parker's DocumentWrite on
   * cannedresponseservice.asmx; the site method DocumentWriteForSite beside it). The result
   * is the document URL, or a text containing "Error" (what Parker's client checks for).
   */
  async function documentWrite(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const soap = (status: number, inner: string) =>
      void res.writeHead(status, { 'Content-Type': 'text/xml; charset=utf-8' }).end(
        '<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>' +
          `${inner}</soap:Body></soap:Envelope>`,
      );
    const fault = (why: string) => {
      store.violation(`DocumentWriteForSite: ${why}`);
      soap(500, `<soap:Fault><faultcode>soap:Client</faultcode><faultstring>${escapeHtml(why)}</faultstring></soap:Fault>`);
    };
    const result = (text: string) =>
      soap(200, `<DocumentWriteForSiteResponse xmlns="${KB}"><DocumentWriteForSiteResult>${escapeHtml(text)}</DocumentWriteForSiteResult></DocumentWriteForSiteResponse>`);
    const body = await readBody(req, MAX_UPLOAD * 2);
    const type = String(req.headers['content-type'] ?? '');
    const action = req.headers.soapaction;
    const params = body === null ? null : soapParams(body);
    store.received.push({
      at: Date.now(), channel: 'http', name: `POST /whosoncharts/${SOAP_SERVICE}`,
      payload: { contentType: type, soapAction: action ?? null, ...(params ? { ...params, Contents: `${params.Contents?.length ?? 0} base64 chars` } : {}) },
    });
    if (body === null) return fault('request too large');
    if (!/^text\/xml\b/i.test(type)) return fault(`Content-Type ${type.slice(0, 60)} is not text/xml (SOAP 1.1)`);
    // Parker's own client sends none; when one is sent, SOAP 1.1 wants it to name the method.
    if (action !== undefined && action !== `"${KB}DocumentWriteForSite"`) return fault(`SOAPAction ${String(action).slice(0, 80)}`);
    if (!params) return fault('no DocumentWriteForSite element in the kb namespace inside a SOAP 1.1 envelope');
    const bytes = Buffer.from(params.Contents ?? '', 'base64');
    if (!params.Contents || bytes.toString('base64') !== params.Contents.replace(/\s+/g, '')) return fault('Contents is not base64');
    if (params.Domain !== store.domain) return result('Error: access denied');
    if (!store.sessions.has(params.SessionID ?? '')) return result('Error: invalid session');
    const ext = /\.([a-z0-9]{1,10})$/i.exec(params.FileName ?? '')?.[1]?.toLowerCase() ?? '';
    if (!allowedTypes().includes(ext)) return result('Error: you cannot upload files of this type');
    if (bytes.length > (store.maxUploadBytes ?? MAX_UPLOAD)) return result('Error: the file is too large');
    const id = `${randomBytes(20).toString('hex')}.${ext}`;
    documents.set(id, { mime: MIME[ext] ?? 'application/octet-stream', bytes });
    return result(`${store.origin()}/whosoncharts/document.aspx?f=${id}`);
  }
  return handleHttp;
}

const XML_TEXT: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/**
 * The parameters of a SOAP 1.1 DocumentWriteForSite call, or null when the envelope is not
 * one: the SOAP 1.1 envelope namespace, a Body, the method element in the kb namespace.
 * Simple element children only (what ASMX binds for string parameters).
 */
function soapParams(xml: string): Record<string, string> | null {
  if (!xml.includes('http://schemas.xmlsoap.org/soap/envelope/')) return null;
  const method = /<DocumentWriteForSite\s+xmlns="http:\/\/www\.whoson\.com\/webservices\/kb\/"\s*>([\s\S]*?)<\/DocumentWriteForSite>/.exec(xml);
  if (!method || !/<(\w+:)?Body>/.test(xml)) return null;
  const out: Record<string, string> = {};
  for (const m of (method[1] ?? '').matchAll(/<(\w+)>([^<]*)<\/\1>/g)) {
    out[m[1]!] = (m[2] ?? '').replace(/&(amp|lt|gt|quot|apos);/g, (_, e: string) => XML_TEXT[e] ?? '');
  }
  return out;
}
