/**
 * How the app build cuts its chunks (the `client` environment of vite.config.ts).
 *
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
import { resolve } from 'node:path';
import type { Plugin } from 'vite';

type ChunkInfo = { facadeModuleId?: string | null; moduleIds?: readonly string[] };

/** Name each lazy chunk after what it is (whoson, expertflow, …) so sizes read plainly. */
export function chunkName(chunk: ChunkInfo): string {
  const id = chunk.facadeModuleId ?? chunk.moduleIds?.[0] ?? '';
  // transports/expertflow-cx/ is the `cx` chunk (a name no other chunk's starts with).
  const vendor = id.match(/transports\/(?:expertflow-)?([a-z]+)\//)?.[1];
  if (vendor && /transport\.ts$/.test(id)) return `assets/${vendor}-[hash:6].js`;
  return 'assets/[name]-[hash:6].js';
}

/** The static import closures of the two entries, taken once the module graph is complete. */
export function appChunks(root: string) {
  const closures = { app: new Set<string>(), frameHost: new Set<string>(), socketio2: new Set<string>() };
  const plugin: Plugin = {
    name: 'confab:entry-closures',
    buildEnd() {
      const walk = (entry: string, into: Set<string>) => {
        const todo = [entry];
        while (todo.length) {
          const id = todo.pop()!;
          if (into.has(id)) continue;
          into.add(id);
          todo.push(...(this.getModuleInfo(id)?.importedIds ?? []));
        }
      };
      walk(resolve(root, 'src/embed/app.ts'), closures.app);
      walk(resolve(root, 'src/embed/frame-host.ts'), closures.frameHost);
      // socket.io-client 2.x and its dependencies (some hoisted to the top of node_modules).
      const io2 = [...this.getModuleIds()].find((id) => /node_modules\/socket\.io-client-v2\/lib\/index\.js$/.test(id));
      if (io2) walk(io2, closures.socketio2);
    },
  };
  const SOCKET_IO = /node_modules\/(socket\.io-client|engine\.io-client|socket\.io-parser|engine\.io-parser|@socket\.io)\//;
  const groups = [
    // socket.io-client 2.x, for ExpertFlow servers that run socket.io 2: loaded only for them.
    { name: 'socketio2', test: (id: string) => closures.socketio2.has(id) && !closures.app.has(id), priority: 4 },
    // socket.io-client is ExpertFlow's alone: its own chunk keeps the transport budget honest.
    { name: 'socketio', test: SOCKET_IO, priority: 3 },
    { name: 'embed-shared', test: (id: string) => closures.app.has(id) && closures.frameHost.has(id), priority: 2 },
    { name: 'app', test: (id: string) => closures.app.has(id), priority: 1 },
  ];
  return { plugin, groups };
}
