/** Three corrections to what the bundler emits for the app build (the `client` environment). */
import type { Plugin } from 'vite';

/**
 * With modulePreload off and no CSS chunks (the widget's CSS is inlined into its shadow root),
 * Vite's preload helper only wraps each lazy import() in ~900 bytes gzip of link-preloading
 * code that never runs. Load that helper as the plain call it amounts to.
 */
const PRELOAD_HELPER = '\0vite/preload-helper.js';
export const plainLazyImports: Plugin = {
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
export const ownKeysRuntime: Plugin = {
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
export const silentDebugForIo2: Plugin = {
  name: 'confab:silent-debug-for-socket.io-2',
  enforce: 'pre',
  resolveId: (id, importer) => (id === 'debug' && importer?.includes('/node_modules/socket.io-client-v2/') ? SILENT_DEBUG : undefined),
  load: (id) =>
    id === SILENT_DEBUG
      ? 'module.exports = function () { var log = function () {}; log.enabled = false; return log; };'
      : undefined,
};
