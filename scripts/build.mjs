// Production build: the app chunk (ES modules, lazily loaded transports) first, then the
// classic-script loader `dist/confab.js` that knows the app chunk's hashed name.
import { readFile, writeFile, copyFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'vite';
import { buildTypes } from './types.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
// CONFAB_DIST builds elsewhere (parallel work, benchmarks); the default is dist/.
const outDir = resolve(root, process.env.CONFAB_DIST ?? 'dist');
const out = (name) => pathToFileURL(resolve(outDir, name));
const quiet = process.argv.includes('--quiet');
const common = { configFile: false, root, logLevel: quiet ? 'warn' : 'info' };

/** Name each lazy chunk after what it is (whoson, expertflow, …) so sizes read plainly. */
function chunkName(chunk) {
  const id = chunk.facadeModuleId ?? chunk.moduleIds?.[0] ?? '';
  // transports/expertflow-cx/ is the `cx` chunk (a name no other chunk's starts with).
  const vendor = id.match(/transports\/(?:expertflow-)?([a-z]+)\//)?.[1];
  if (vendor && /transport\.ts$/.test(id)) return `assets/${vendor}-[hash:6].js`;
  return 'assets/[name]-[hash:6].js';
}

/**
 * With modulePreload off and no CSS chunks (the widget's CSS is inlined into its shadow root),
 * Vite's preload helper only wraps each lazy import() in ~900 bytes gzip of link-preloading
 * code that never runs. Load that helper as the plain call it amounts to.
 */
const PRELOAD_HELPER = '\0vite/preload-helper.js';
const plainLazyImports = {
  name: 'confab:plain-lazy-imports',
  enforce: 'pre',
  resolveId: (id) => (id === PRELOAD_HELPER ? id : undefined),
  load: (id) => (id === PRELOAD_HELPER ? 'export const __vitePreload = (load) => load();' : undefined),
};

/**
 * The bundler's runtime builds module namespace objects with `for (name in exports)`, which
 * also walks keys a host page added to Object.prototype, and then throws ("Getter must be a
 * function") loading the ExpertFlow and Tencent chunks. Walk the object's own keys only.
 */
const OWN_KEYS_LOOP = /for \(var (\w+) in (\w+)\)(\s*\{?\s*__defProp\(target, \1, \{\s*get: \2\[\1\])/;
const ownKeysRuntime = {
  name: 'confab:own-keys-runtime',
  renderChunk(code, chunk) {
    if (!chunk.moduleIds.includes('\0rolldown/runtime.js')) return null;
    if (!OWN_KEYS_LOOP.test(code)) throw new Error('build: the bundler runtime changed; re-check confab:own-keys-runtime');
    return { code: code.replace(OWN_KEYS_LOOP, 'for (var $1 of Object.keys($2))$3'), map: null };
  },
};

/**
 * socket.io-client 2.x logs through `debug` (~2 KB gzip of code that only ever prints when a
 * developer sets localStorage.debug). Its own "slim" build leaves debug out the same way: here
 * the 2.x client and its dependencies get a silent `debug`. The 4.x client has no debug in its
 * browser build.
 */
const SILENT_DEBUG = '\0confab:silent-debug';
const silentDebugForIo2 = {
  name: 'confab:silent-debug-for-socket.io-2',
  enforce: 'pre',
  resolveId: (id, importer) => (id === 'debug' && importer?.includes('/node_modules/socket.io-client-v2/') ? SILENT_DEBUG : undefined),
  load: (id) =>
    id === SILENT_DEBUG
      ? 'module.exports = function () { var log = function () {}; log.enabled = false; return log; };'
      : undefined,
};

/**
 * Everything the app entry imports statically goes into the app chunk itself. Left to
 * itself the bundler cuts what the lazy views and transports share with the app (Preact,
 * the sanitizer, i18n…) into a handful of small chunks: more requests when the chat opens,
 * and ~1.4 KB more gzip, since each chunk compresses alone. Lazy chunks import from the app
 * chunk instead, which is always loaded before them.
 *
 * The exception is the little the frame host (data-mode="iframe", in the host page) shares
 * with the app (options, theme, title and scroll lock): that is the `embed-shared` chunk, or
 * the host page would download and run the whole app only to talk to a frame.
 */
/** The static import closures of the two entries, taken once the module graph is complete. */
const closures = { app: new Set(), frameHost: new Set(), socketio2: new Set() };
const entryClosures = {
  name: 'confab:entry-closures',
  buildEnd() {
    const walk = (entry, into) => {
      const todo = [resolve(root, entry)];
      while (todo.length) {
        const id = todo.pop();
        if (into.has(id)) continue;
        into.add(id);
        todo.push(...(this.getModuleInfo(id)?.importedIds ?? []));
      }
    };
    walk('src/embed/app.ts', closures.app);
    walk('src/embed/frame-host.ts', closures.frameHost);
    // socket.io-client 2.x and its dependencies (some hoisted to the top of node_modules).
    const io2 = [...this.getModuleIds()].find((id) => /node_modules\/socket\.io-client-v2\/lib\/index\.js$/.test(id));
    if (io2) walk(io2, closures.socketio2);
  },
};
const SOCKET_IO = /node_modules\/(socket\.io-client|engine\.io-client|socket\.io-parser|engine\.io-parser|@socket\.io)\//;
const CHUNK_GROUPS = [
  // socket.io-client 2.x, for ExpertFlow servers that run socket.io 2: loaded only for them.
  { name: 'socketio2', test: (id) => closures.socketio2.has(id) && !closures.app.has(id), priority: 4 },
  // socket.io-client is ExpertFlow's alone: its own chunk keeps the transport budget honest.
  { name: 'socketio', test: SOCKET_IO, priority: 3 },
  { name: 'embed-shared', test: (id) => closures.app.has(id) && closures.frameHost.has(id), priority: 2 },
  { name: 'app', test: (id) => closures.app.has(id), priority: 1 },
];

const app = await build({
  ...common,
  publicDir: 'public',
  plugins: [plainLazyImports, ownKeysRuntime, entryClosures, silentDebugForIo2],
  build: {
    outDir,
    emptyOutDir: true,
    target: 'es2022',
    modulePreload: false,
    reportCompressedSize: !quiet,
    rollupOptions: {
      input: { app: 'src/embed/app.ts', 'frame-host': 'src/embed/frame-host.ts' },
      // The app chunk may export more than boot(): the lazy chunks import what they share from it.
      preserveEntrySignatures: 'allow-extension',
      output: {
        format: 'es',
        entryFileNames: 'assets/[name]-[hash:6].js',
        chunkFileNames: chunkName,
        codeSplitting: { groups: CHUNK_GROUPS },
      },
    },
  },
});
const outputs = (Array.isArray(app) ? app : [app]).flatMap((r) => r.output);
const entryFile = (name) => {
  const chunk = outputs.find((o) => o.type === 'chunk' && o.isEntry && o.name === name);
  if (!chunk) throw new Error(`build: no ${name} entry chunk`);
  return chunk.fileName;
};

/** The chunk the app and the frame host both import: the loader fetches it alongside either. */
const sharedChunk = () => {
  const chunk = outputs.find((o) => o.type === 'chunk' && o.name === 'embed-shared');
  if (!chunk) throw new Error('build: no embed-shared chunk');
  return chunk.fileName;
};

await build({
  ...common,
  publicDir: false,
  define: {
    __CONFAB_APP__: JSON.stringify(entryFile('app')),
    __CONFAB_FRAME_HOST__: JSON.stringify(entryFile('frame-host')),
    __CONFAB_SHARED__: JSON.stringify(sharedChunk()),
  },
  build: {
    outDir,
    emptyOutDir: false,
    target: 'es2022',
    minify: process.env.LOADER_MINIFY ?? 'oxc',
    reportCompressedSize: !quiet,
    lib: { entry: 'src/embed/loader.ts', formats: ['iife'], name: 'ConfabLoader', fileName: () => 'confab.js' },
  },
});

// The npm entries (`import { mount } from 'confab-chat'`, `confab-chat/react`, `confab-chat/vue`):
// ES modules whose dependencies the site's bundler resolves (React and Vue are the site's own);
// transports stay lazy chunks.
await build({
  ...common,
  publicDir: false,
  build: {
    outDir: resolve(outDir, 'npm'),
    emptyOutDir: true,
    target: 'es2022',
    minify: false,
    reportCompressedSize: false,
    lib: {
      entry: { index: 'src/embed/npm.ts', react: 'src/react/index.ts', vue: 'src/vue/index.ts' },
      formats: ['es'],
      fileName: (_format, name) => `${name}.js`,
    },
    rollupOptions: { external: [/^preact/, /^@preact\//, 'dompurify', /^socket\.io-client/, /^@tencentcloud\//, 'marked', /^react($|\/)/, 'vue'] },
  },
});
// Declarations generated from the source (scripts/types.mjs).
await buildTypes(outDir);

// The iframe page: the same widget filling the frame, options from its query string.
await writeFile(
  out('embed.html'),
  `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Chat</title>
<link rel="stylesheet" href="./embed.css">
</head>
<body>
<script src="./confab.js" data-embed="page"></script>
</body>
</html>
`,
);
await writeFile(out('embed.css'), 'html,body{margin:0;height:100%;background:transparent}\n');
await copyFile(new URL('../index.html', import.meta.url), out('index.html'));
const loader = await readFile(out('confab.js'), 'utf8');
if (/\bvar ConfabLoader\b/.test(loader)) throw new Error('build: the loader leaked a global');
