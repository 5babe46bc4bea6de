// The comparison widgets, served from loopback as a site owner would host them: each on a
// blank host page with its documented minimal embed, every text response gzip -9 (as a CDN).
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const root = fileURLToPath(new URL('..', import.meta.url));
const RC = join(root, 'node_modules/@rocket.chat/livechat/build');
const DEEP = join(root, 'node_modules/deep-chat/dist');
const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.json': 'application/json', '.png': 'image/png', '.svg': 'image/svg+xml', '.woff2': 'font/woff2' };

const page = (body) => `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Host</title><link rel="icon" href="data:,"></head><body><h1>A host page</h1><p>Some content.</p>${body}</body></html>`;

export const PAGES = {
  blank: page(''),
  // Rocket.Chat's documented snippet (Administration → Omnichannel → Livechat installation).
  rocketchat: page(`<script type="text/javascript">
(function(w, d, s, u) {
  w.RocketChat = function(c) { w.RocketChat._.push(c) }; w.RocketChat._ = []; w.RocketChat.url = u;
  var h = d.getElementsByTagName(s)[0], j = d.createElement(s);
  j.async = true; j.src = '/livechat/rocketchat-livechat.min.js?_=' + Math.random();
  h.parentNode.insertBefore(j, h);
})(window, document, 'script', location.origin + '/livechat');
</script>`),
  // deep-chat's documented minimal embed: the bundle and the element (it renders inline, no launcher).
  deepchat: page(`<script type="module" src="/deep-chat/deepChat.bundle.js"></script><deep-chat></deep-chat>`),
};

/** Just enough of Rocket.Chat's REST API for the widget to render online with no server. */
const RC_CONFIG = {
  config: {
    enabled: true, online: true, settings: { registrationForm: false, nameFieldRegistrationForm: false, emailFieldRegistrationForm: false, displayOfflineForm: true, fileUpload: false, allowSwitchingDepartments: false, forceAcceptDataProcessingConsent: false, showConnecting: false, agentHiddenInfo: false, limitTextLength: false },
    theme: { title: 'Live chat', color: '#04436A', offlineTitle: 'Offline', offlineColor: '#666', actionLinks: [] },
    messages: { conversationFinishedMessage: '', conversationFinishedText: '', dataProcessingConsentText: '', registrationFormMessage: '', offlineMessage: '', offlineSuccessMessage: '', offlineUnavailableMessage: '' },
    survey: { items: [], values: [] }, triggers: [], departments: [], resources: { sound: '' },
  },
  success: true,
};

const gz = new Map();
async function sendFile(req, res, file) {
  const info = await stat(file).catch(() => null);
  if (!info?.isFile()) return false;
  const type = TYPES[extname(file)] ?? 'application/octet-stream';
  let body = await readFile(file);
  const headers = { 'content-type': type, 'cache-control': 'no-cache' };
  if (!/image|font/.test(type)) {
    const key = `${file}:${info.mtimeMs}`;
    if (!gz.has(key)) gz.set(key, gzipSync(body, { level: 9 }));
    body = gz.get(key);
    headers['content-encoding'] = 'gzip';
  }
  res.writeHead(200, { ...headers, 'content-length': String(body.length) }).end(body);
  return true;
}

function inside(dir, rel) {
  const file = normalize(join(dir, rel));
  return file.startsWith(dir + sep) ? file : null;
}

export async function startAnchors() {
  const server = createServer((req, res) => {
    void (async () => {
      const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
      const name = path.match(/^\/(\w+)\.html$/)?.[1];
      if (name && PAGES[name]) {
        const body = gzipSync(PAGES[name], { level: 9 });
        return void res.writeHead(200, { 'content-type': TYPES['.html'], 'content-encoding': 'gzip', 'cache-control': 'no-cache' }).end(body);
      }
      if (path === '/livechat' || path === '/livechat/') return void (await sendFile(req, res, join(RC, 'index.html')));
      // The iframe resolves its server as "<page>/null" when none is configured: any prefix will do.
      if (path.includes('/api/v1/livechat/config')) return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(RC_CONFIG));
      if (path.includes('/api/v1/livechat/')) return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"success":true}');
      if (path.startsWith('/api/') || path.startsWith('/sockjs') || path.startsWith('/websocket')) return void res.writeHead(404).end();
      const file = path.startsWith('/livechat/') ? inside(RC, path.slice(10)) : path.startsWith('/deep-chat/') ? inside(DEEP, path.slice(11)) : null;
      if (file && (await sendFile(req, res, file))) return;
      res.writeHead(404).end();
    })().catch(() => res.writeHead(500).end());
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${server.address().port}`;
  return { url, close: () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }) };
}
