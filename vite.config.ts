/**
 * The whole build and the dev server, through Vite's own multi-environment builder.
 *
 * `npx vite build` (or `npm run build`, `node scripts/build.mjs`) builds dist/ in three
 * environments, in this order (builder.buildApp below):
 *   client  the app: ES-module chunks under dist/assets/ (the app chunk, the frame host, the
 *           lazily loaded transports and views), plus public/ (the demo, the agent console,
 *           embed.html and embed.css) copied as they are;
 *   loader  dist/confab.js, the classic-script IIFE a site pastes (≤ 3 KB gzip), which must
 *           know the app build's hashed chunk names: it is built second, with those names;
 *   npm     dist/npm/, the ES entries of the npm package (`confab-chat`, `/react`, `/vue`),
 *           whose dependencies the site's bundler resolves;
 * then the declarations generated from the source (scripts/types.mjs) and the demo page.
 *
 * `npx vite` / `npm run dev` serves the demo against every vendor's simulator with HMR
 * (scripts/vite/dev.ts).
 *
 * CONFAB_DIST builds elsewhere (parallel work, benchmarks); the default is dist/.
 * LOADER_MINIFY picks the loader's minifier (default oxc).
 */
import { copyFile, readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import prefresh from '@prefresh/vite';
import { defineConfig, type EnvironmentOptions, type Plugin, type Rolldown } from 'vite';
import { buildTypes } from './scripts/types.mjs';
import { ownKeysRuntime, plainLazyImports, silentDebugForIo2 } from './scripts/vite/bundle-fixes.ts';
import { appChunks, chunkName } from './scripts/vite/chunks.ts';
import { confabDev, loaderBuild } from './scripts/vite/dev.ts';

const root = fileURLToPath(new URL('.', import.meta.url));
const outDir = resolve(root, process.env.CONFAB_DIST ?? 'dist');
const chunks = appChunks(root);

/** A plugin for one environment of the production build only. */
const only = (environment: string, plugin: Plugin): Plugin => ({ ...plugin, apply: 'build', applyToEnvironment: (env) => env.name === environment });

/** The app build's chunk names the loader is built with (filled once the client environment is built). */
const appFiles: Record<'__CONFAB_APP__' | '__CONFAB_FRAME_HOST__' | '__CONFAB_SHARED__', string> = {
  __CONFAB_APP__: '',
  __CONFAB_FRAME_HOST__: '',
  __CONFAB_SHARED__: '',
};
const loaderChunkNames: Plugin = {
  name: 'confab:loader-chunk-names',
  // Each environment loads this file anew: the loader must get the instance whose appFiles buildApp filled.
  sharedDuringBuild: true,
  // Defined as Vite defines: through the bundler's own `define`, when this environment's build starts.
  options(options) {
    for (const [name, file] of Object.entries(appFiles)) if (!file) throw new Error(`build: the loader needs ${name}: build the client environment first`);
    options.transform ??= {};
    options.transform.define = { ...options.transform.define, ...Object.fromEntries(Object.entries(appFiles).map(([k, v]) => [k, JSON.stringify(v)])) };
  },
};

function fileOf(outputs: readonly (Rolldown.OutputChunk | Rolldown.OutputAsset)[], test: (c: Rolldown.OutputChunk) => boolean, what: string): string {
  const chunk = outputs.find((o): o is Rolldown.OutputChunk => o.type === 'chunk' && test(o));
  if (!chunk) throw new Error(`build: no ${what} chunk`);
  return chunk.fileName;
}

/** dist/confab.js, the classic-script loader; built after the client environment (it needs the chunk names). */
const loaderEnvironment: EnvironmentOptions = {
  consumer: 'client',
  build: { ...loaderBuild(process.env.LOADER_MINIFY ?? 'oxc'), outDir, emptyOutDir: false, copyPublicDir: false },
};

/**
 * The npm entries (`import { mount } from 'confab-chat'`, `confab-chat/react`, `confab-chat/vue`):
 * ES modules whose dependencies the site's bundler resolves (React and Vue are the site's own);
 * transports stay lazy chunks.
 */
const npmEnvironment: EnvironmentOptions = {
  consumer: 'client',
  build: {
    outDir: resolve(outDir, 'npm'),
    emptyOutDir: true,
    copyPublicDir: false,
    target: 'es2022',
    minify: false,
    reportCompressedSize: false,
    lib: {
      entry: { index: 'src/embed/npm.ts', react: 'src/react/index.ts', vue: 'src/vue/index.ts' },
      formats: ['es'],
      fileName: (_format, name) => `${name}.js`,
    },
    rolldownOptions: {
      external: [/^preact/, /^@preact\//, 'dompurify', /^socket\.io-client/, /^@tencentcloud\//, 'marked', /^react($|\/)/, 'vue'],
    },
  },
};

export default defineConfig(({ command }) => ({
  root,
  publicDir: 'public',
  // The dev server: Preact's automatic JSX runtime (tsconfig.json's), with prefresh's hot updates.
  ...(command === 'serve' ? { oxc: { jsx: { runtime: 'automatic' as const, importSource: 'preact' } } } : {}),
  plugins: [
    // (prefresh's declarations type its plugins as a promise of a promise: it resolves to plugins.)
    command === 'serve' && (prefresh() as Promise<Plugin[]>),
    only('client', plainLazyImports),
    only('client', ownKeysRuntime),
    only('client', chunks.plugin),
    only('client', silentDebugForIo2),
    only('loader', loaderChunkNames),
    confabDev(root),
  ],
  environments: {
    client: {
      build: {
        outDir,
        emptyOutDir: true,
        target: 'es2022',
        modulePreload: false,
        rolldownOptions: {
          input: { app: 'src/embed/app.ts', 'frame-host': 'src/embed/frame-host.ts' },
          // The app chunk may export more than boot(): the lazy chunks import what they share from it.
          preserveEntrySignatures: 'allow-extension',
          output: {
            format: 'es',
            entryFileNames: 'assets/[name]-[hash:6].js',
            chunkFileNames: chunkName,
            codeSplitting: { groups: chunks.groups },
          },
        },
      },
    },
    // Built only: the dev server builds its /confab.js itself (scripts/vite/dev.ts), and serves no npm entries.
    ...(command === 'build' ? { loader: loaderEnvironment, npm: npmEnvironment } : {}),
  },
  builder: {
    async buildApp(builder) {
      const { client, loader, npm } = builder.environments;
      if (!client || !loader || !npm) throw new Error('build: the client, loader and npm environments are all needed');
      const app = await builder.build(client);
      const outputs = (Array.isArray(app) ? app : [app]).flatMap((r) => ('output' in r ? r.output : []));
      appFiles.__CONFAB_APP__ = fileOf(outputs, (c) => c.isEntry && c.name === 'app', 'app entry');
      appFiles.__CONFAB_FRAME_HOST__ = fileOf(outputs, (c) => c.isEntry && c.name === 'frame-host', 'frame-host entry');
      // The chunk the app and the frame host both import: the loader fetches it alongside either.
      appFiles.__CONFAB_SHARED__ = fileOf(outputs, (c) => c.name === 'embed-shared', 'embed-shared');
      await builder.build(loader);
      await builder.build(npm);
      // Declarations generated from the source (scripts/types.mjs).
      await buildTypes(outDir);
      // The demo page (its scripts are in public/, which the client environment copied).
      await copyFile(resolve(root, 'index.html'), resolve(outDir, 'index.html'));
      if (/\bvar ConfabLoader\b/.test(await readFile(resolve(outDir, 'confab.js'), 'utf8'))) throw new Error('build: the loader leaked a global');
    },
  },
}));
