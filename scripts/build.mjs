// Production build: the app chunk (ES modules, lazily loaded transports) first, then the
// classic-script loader `dist/confab.js` that knows the app chunk's hashed name.
import { readFile, writeFile, copyFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'vite';

const root = fileURLToPath(new URL('..', import.meta.url));
// CONFAB_DIST builds elsewhere (parallel work, benchmarks); the default is dist/.
const outDir = resolve(root, process.env.CONFAB_DIST ?? 'dist');
const out = (name) => pathToFileURL(resolve(outDir, name));
const quiet = process.argv.includes('--quiet');
const common = { configFile: false, root, logLevel: quiet ? 'warn' : 'info' };

/** Name each lazy chunk after what it is (whoson, expertflow, …) so sizes read plainly. */
function chunkName(chunk) {
  const id = chunk.facadeModuleId ?? chunk.moduleIds?.[0] ?? '';
  const vendor = id.match(/transports\/([a-z]+)\//)?.[1];
  if (vendor && /transport\.ts$/.test(id)) return `assets/${vendor}-[hash].js`;
  return 'assets/[name]-[hash].js';
}

const app = await build({
  ...common,
  publicDir: 'public',
  build: {
    outDir,
    emptyOutDir: true,
    target: 'es2022',
    modulePreload: false,
    reportCompressedSize: !quiet,
    rollupOptions: {
      input: { app: 'src/embed/app.ts' },
      preserveEntrySignatures: 'exports-only',
      output: {
        format: 'es',
        entryFileNames: 'assets/[name]-[hash].js',
        chunkFileNames: chunkName,
        // socket.io-client is ExpertFlow's alone: its own chunk keeps the transport budget honest.
        manualChunks: (id) => (/node_modules\/(socket\.io-client|engine\.io-client|socket\.io-parser|engine\.io-parser|@socket\.io)\//.test(id) ? 'socketio' : undefined),
      },
    },
  },
});
const outputs = (Array.isArray(app) ? app : [app]).flatMap((r) => r.output);
const entry = outputs.find((o) => o.type === 'chunk' && o.isEntry && o.name === 'app');
if (!entry) throw new Error('build: no app entry chunk');

await build({
  ...common,
  publicDir: false,
  define: { __CONFAB_APP__: JSON.stringify(entry.fileName) },
  build: {
    outDir,
    emptyOutDir: false,
    target: 'es2022',
    reportCompressedSize: !quiet,
    lib: { entry: 'src/embed/loader.ts', formats: ['iife'], name: 'ConfabLoader', fileName: () => 'confab.js' },
  },
});

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
