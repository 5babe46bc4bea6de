/**
 * `npm run dev` / `npx vite`: the demo page against every vendor's simulator, with HMR.
 *
 * The dev server is the demo origin. Once it listens it starts the sandbox
 * (src/server/sandbox/main.ts, the same simulators as `npm start`) on a loopback port of its
 * own, told that the demo origin is the dev server's (the relay vendors allow only that
 * origin), and passes it the sandbox's routes (/sandbox.json, /__sandbox/…, /agent).
 *
 * The page's script tag loads /confab.js, a classic script as in production: the loader
 * IIFE, built here once (and again when one of its modules changes) with the source entries
 * in place of the hashed chunk names. So the app, the frame host and everything they import
 * are Vite's dev modules: an edit to a Preact component is a hot update (prefresh), not a
 * reload. The loader's "shared chunk" is Vite's client, which opens the HMR connection.
 */
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { build, type BuildEnvironmentOptions, type Plugin, type Rolldown } from 'vite';
import type { Sandbox } from '../../src/server/sandbox/main';

/** The loader's build options, the same for dist/confab.js and the dev server's /confab.js. */
export function loaderBuild(minify: string | boolean): BuildEnvironmentOptions {
  return {
    target: 'es2022',
    minify: minify as BuildEnvironmentOptions['minify'],
    lib: { entry: 'src/embed/loader.ts', formats: ['iife'], name: 'ConfabLoader', fileName: () => 'confab.js' },
  };
}

/** The routes the sandbox answers on the demo origin (see src/server/sandbox/main.ts). */
const SANDBOX_ROUTE = /^\/(sandbox\.json$|__sandbox\/|agent$)/;

export function confabDev(root: string): Plugin {
  let loader: Promise<{ code: string; modules: Set<string> }> | undefined;
  const buildLoader = async () => {
    const out = await build({
      configFile: false,
      root,
      logLevel: 'warn',
      publicDir: false,
      define: {
        __CONFAB_APP__: JSON.stringify('/src/embed/app.ts'),
        __CONFAB_FRAME_HOST__: JSON.stringify('/src/embed/frame-host.ts'),
        __CONFAB_SHARED__: JSON.stringify('/@vite/client'),
      },
      build: { ...loaderBuild(false), write: false, emptyOutDir: false, reportCompressedSize: false },
    });
    const chunk = (Array.isArray(out) ? out : [out as Rolldown.RolldownOutput]).flatMap((r) => r.output).find((o) => o.type === 'chunk');
    if (!chunk || chunk.type !== 'chunk') throw new Error('dev: the loader build gave no chunk');
    return { code: chunk.code, modules: new Set(chunk.moduleIds) };
  };

  return {
    name: 'confab:dev',
    apply: 'serve',
    config: () => ({
      // The widget's entries (the demo page's own scripts are plain files in public/): their
      // dependencies are optimized before the page asks, not discovered later with a reload.
      optimizeDeps: { entries: ['src/embed/app.ts', 'src/embed/frame-host.ts'] },
    }),
    configureServer(server) {
      let sandbox: Promise<Sandbox> | undefined;
      const http = server.httpServer;
      http?.once('listening', () => {
        const origin = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
        sandbox = (async () => {
          // The sandbox is TypeScript run by Node (as `npm start` runs it), not part of the bundle.
          const { tsImport } = await import('tsx/esm/api');
          const main = (await tsImport(resolve(root, 'src/server/sandbox/main.ts'), import.meta.url)) as typeof import('../../src/server/sandbox/main');
          const started = await main.startSandbox({
            origin,
            staticDir: resolve(root, 'public'),
            delayScale: Number(process.env.CONFAB_AGENT_SPEED ?? 1),
          });
          server.config.logger.info(`  Agent console: ${origin}/agent  (vendors' addresses: ${origin}/sandbox.json)`);
          return started;
        })();
        sandbox.catch((err: unknown) => server.config.logger.error(`dev: the sandbox did not start: ${String(err)}`));
      });
      http?.once('close', () => void sandbox?.then((s) => s.close(), () => undefined));

      // An edit to one of the loader's modules: build it again, and reload the page (the loader is its classic script).
      server.watcher.on('change', (file) => {
        void loader?.then(({ modules }) => {
          if (!modules.has(file)) return;
          loader = undefined;
          server.ws.send({ type: 'full-reload' });
        }, () => (loader = undefined));
      });

      server.middlewares.use((req, res, next) => {
        const path = (req.url ?? '/').split('?')[0] ?? '/';
        if (path === '/confab.js' && req.method === 'GET') {
          loader ??= buildLoader();
          loader.then(
            ({ code }) => {
              res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-cache' });
              res.end(code);
            },
            (err: unknown) => {
              loader = undefined;
              next(err);
            },
          );
          return;
        }
        if (!SANDBOX_ROUTE.test(path) || !sandbox) return next();
        sandbox.then(
          (s) => {
            const upstream = request(`${s.url}${req.url ?? '/'}`, { method: req.method, headers: req.headers }, (answer) => {
              res.writeHead(answer.statusCode ?? 502, answer.headers);
              answer.pipe(res);
            });
            upstream.on('error', () => {
              if (!res.headersSent) res.writeHead(502);
              res.end();
            });
            // The agent console's event stream stays open: closing the page ends it upstream too.
            res.on('close', () => upstream.destroy());
            req.pipe(upstream);
          },
          (err: unknown) => next(err),
        );
      });
    },
  };
}
