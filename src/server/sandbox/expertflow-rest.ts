/**
 * ExpertFlow's REST side, as the document describes it: `POST /api/customer/init` and
 * `GET /api/customer/transcript/{id}/{pdf|email}` (any other path: 404).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { allowLoopbackCors } from './loopback-cors';
import { readBody } from './read-body';
import { hex, iso, obj, str, type ExpertFlowConversation, type ExpertFlowStore, type Obj } from './expertflow-store';
import { transcriptPdf } from './transcript-pdf';

const MAX_BODY = 64 * 1024;

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/** The HTTP request listener; `record` logs what the widget sent (the simulator's `received`). */
export function restRoutes(store: ExpertFlowStore, record: (channel: string, name: string, payload: unknown) => void): (req: IncomingMessage, res: ServerResponse) => void {
  const violation = (what: string): void => void store.violations.push(what);

  async function init(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req, MAX_BODY);
    let body: Obj | null = null;
    try {
      body = raw === null ? null : obj(JSON.parse(raw));
    } catch {
      body = null;
    }
    record('http', 'POST /api/customer/init', body ?? raw);
    const failure = store.initFailures.shift();
    if (failure) return json(res, failure, { error: failure === 503 ? 'Service Unavailable' : 'Internal Server Error' });
    // "Channel parameter is required", "with at least one identifier parameter".
    const ident = body && ['firstName', 'lastName', 'email', 'phone', 'refId'].some((k) => str(body?.[k]));
    if (!body || !str(body.channel) || !ident) {
      violation('init: channel and an identifier are required');
      return json(res, 400, { error: 'channel and an identifier are required' });
    }
    // The document's example is a language code ("en"), not a full locale tag.
    if (body.language !== undefined && !/^[a-z]{2,3}$/.test(str(body.language) ?? '')) {
      violation(`init: language ${JSON.stringify(body.language)} is not a language code like "en"`);
    }
    const name = [str(body.firstName), str(body.lastName)].filter(Boolean).join(' ') || str(body.email) || 'Customer';
    const c: ExpertFlowConversation = {
      id: hex(12),
      requestId: str(body.requestId) ?? hex(16),
      customer: { id: hex(4).slice(0, 7), name, type: 'customer' },
      init: body,
      participants: [],
      history: [],
      state: 'new',
    };
    c.participants.push(c.customer);
    store.conversations.set(c.id, c);
    json(res, 200, {
      conversationId: c.id,
      participant: { id: c.customer.id, name: c.customer.name },
      requestId: str(body.requestId) ?? c.requestId,
      timestamp: iso(),
    });
  }

  function transcript(res: ServerResponse, id: string, type: string): void {
    const c = store.conversations.get(id);
    if (type !== 'pdf' && type !== 'email') violation(`transcript: type ${type} is neither email nor pdf`);
    // "In the case of an ongoing chat session, the response will be Error 404."
    if (!c || c.state !== 'ended' || (type !== 'pdf' && type !== 'email')) return json(res, 404, { error: 'Not Found' });
    if (type === 'email') {
      // No address parameter exists: the server mails the address it holds from init.
      store.emails.push({ conversationId: id, to: str(c.init.email) ?? '' });
      res.writeHead(200);
      res.end();
      return;
    }
    const lines = [`Chat transcript ${c.id}`, ''];
    for (const m of c.history) {
      const from = obj(m.from);
      if (m.type === 'ChatMessage') lines.push(`${str(from?.name) ?? ''}: ${str(m.text) ?? ''}`);
    }
    const pdf = transcriptPdf(lines);
    res.writeHead(200, {
      'content-type': 'application/pdf',
      'content-length': pdf.length,
      'content-disposition': `attachment; filename="transcript-${c.id}.pdf"`,
    });
    res.end(pdf);
  }

  return (req: IncomingMessage, res: ServerResponse): void => {
    allowLoopbackCors(req, res, 'content-type');
    const url = new URL((req.url ?? '/').slice(0, 2048), 'http://sandbox');
    if (req.method === 'OPTIONS') {
      res.writeHead(204);
      res.end();
      return;
    }
    if (req.method === 'POST' && url.pathname === '/api/customer/init') {
      init(req, res).catch(() => {
        if (!res.headersSent) json(res, 500, { error: 'Internal Server Error' });
        else res.end();
      });
      return;
    }
    const m = req.method === 'GET' ? /^\/api\/customer\/transcript\/([^/]{1,64})\/([a-z]{1,16})$/.exec(url.pathname) : null;
    if (m) {
      const id = decodeURIComponent(m[1] ?? '');
      record('http', `GET /api/customer/transcript/${id}/${m[2]}`, url.search ? { query: url.search } : {});
      if (url.search) violation(`transcript: undocumented query ${url.search}`);
      return transcript(res, id, m[2] ?? '');
    }
    json(res, 404, { error: 'Not Found' });
  };
}
