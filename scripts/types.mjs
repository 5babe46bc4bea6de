// The package's type declarations, generated from the source (no hand-kept .d.ts): the
// TypeScript compiler emits declarations for the three public entries (the npm module, the
// React and the Vue components) without type-checking again (`npm run typecheck` does that);
// only the declaration files those entries reach are kept, under dist/npm/types/, and
// dist/npm/{index,react,vue}.d.ts and dist/confab.d.ts (the CDN build's `Confab` global)
// point into them.
import { mkdtemp, mkdir, readFile, rm, writeFile, copyFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = fileURLToPath(new URL('..', import.meta.url));
const ENTRIES = { index: 'src/embed/npm.ts', react: 'src/react/index.ts', vue: 'src/vue/index.ts' };

export async function buildTypes(outDir) {
  const tmp = await mkdtemp(join(tmpdir(), 'confab-types-'));
  try {
    const { config } = ts.readConfigFile(resolve(root, 'tsconfig.json'), ts.sys.readFile);
    const { options } = ts.parseJsonConfigFileContent(config, ts.sys, root);
    const program = ts.createProgram({
      rootNames: [...Object.values(ENTRIES).map((e) => resolve(root, e)), resolve(root, 'src/env.d.ts')],
      options: { ...options, noEmit: false, declaration: true, emitDeclarationOnly: true, noCheck: true, rootDir: resolve(root, 'src'), outDir: tmp },
    });
    const result = program.emit();
    if (result.emitSkipped) throw new Error('types: the declaration emit was skipped');
    // Keep what the entries reach through relative imports.
    const keep = new Set();
    const todo = Object.values(ENTRIES).map((e) => join(tmp, relative('src', e).replace(/\.ts$/, '.d.ts')));
    while (todo.length) {
      const file = todo.pop();
      if (keep.has(file)) continue;
      keep.add(file);
      const text = await readFile(file, 'utf8');
      for (const m of text.matchAll(/(?:from|import)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g)) {
        const target = resolve(dirname(file), m[1]).replace(/\.js$/, '');
        todo.push(`${target}.d.ts`);
      }
    }
    const typesDir = resolve(outDir, 'npm/types');
    await rm(typesDir, { recursive: true, force: true });
    for (const file of keep) {
      const to = join(typesDir, relative(tmp, file));
      await mkdir(dirname(to), { recursive: true });
      await copyFile(file, to);
    }
    const entry = (src) => `./types/${relative('src', src).replace(/\.ts$/, '.js')}`;
    for (const [name, src] of Object.entries(ENTRIES)) {
      await writeFile(resolve(outDir, `npm/${name}.d.ts`), `export * from '${entry(src)}';\n`);
    }
    // The CDN build: the page's `Confab` global (declared in public-api.ts) and the same types.
    await writeFile(resolve(outDir, 'confab.d.ts'), `export type * from './npm/types/embed/public-api.js';\n`);
    return [...keep].map((f) => relative(tmp, f)).sort();
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log((await buildTypes(resolve(root, process.env.CONFAB_DIST ?? 'dist'))).join('\n'));
}
