import { defineConfig } from 'vitest/config';

export default defineConfig({
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  test: {
    include: ['test/**/*.test.{ts,tsx}'],
    environment: 'node',
    // Component tests opt into a DOM with `// @vitest-environment happy-dom` at the top.
    testTimeout: 15000,
    hookTimeout: 15000,
    pool: 'threads',
    setupFiles: ['test/fuzz-seed.ts'],
  },
});
