/**
 * Issue 22, "done when": the packed confab-chat tarball installed (offline, e2e/fresh-app.ts)
 * into a fresh Vite app, a fresh React app (StrictMode) and a fresh Vue app, each built with its
 * own Vite and driven in Chromium against the sandbox: the launcher appears, a chat starts, and
 * route changes leave exactly one launcher.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { startSandbox, type Sandbox } from '../src/server/sandbox/main';
import { build, install, pack } from './fresh-app';

const INDEX = '<!doctype html><html lang="en"><title>Fresh app</title><div id="app"></div><script type="module" src="/main.js"></script></html>';
/** Every app reads the sandbox's Omnidesk options at run time (the sandbox serves the built app). */
const OPTIONS = "const options = (await (await fetch('/sandbox.json')).json()).vendors.omnidesk;";
const APPS: Record<string, { deps: string[]; files: Record<string, string> }> = {
  vite: {
    deps: ['vite'],
    files: {
      'main.js': `import { mount } from 'confab-chat';\n${OPTIONS}\nmount(options);\n`,
    },
  },
  react: {
    deps: ['vite', 'react', 'react-dom', '@vitejs/plugin-react'],
    files: {
      'vite.config.js': "import react from '@vitejs/plugin-react';\nexport default { plugins: [react()] };\n",
      'main.js': `import { StrictMode, createElement as h, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { ConfabChat } from 'confab-chat/react';
${OPTIONS}
function App() {
  const [route, setRoute] = useState('home');
  // Each route renders its own <ConfabChat>: a route change unmounts one and mounts the other.
  return h('main', null,
    h('button', { onClick: () => setRoute(route === 'home' ? 'about' : 'home') }, 'Next page'),
    h('h1', null, 'Page ' + route),
    h(ConfabChat, { key: route, ...options }));
}
createRoot(document.getElementById('app')).render(h(StrictMode, null, h(App)));
`,
    },
  },
  vue: {
    deps: ['vite', 'vue', '@vitejs/plugin-vue'],
    files: {
      'vite.config.js': "import vue from '@vitejs/plugin-vue';\nexport default { plugins: [vue()] };\n",
      'main.js': `import { createApp, h, ref } from 'vue';
import { ConfabChat } from 'confab-chat/vue';
${OPTIONS}
const route = ref('home');
createApp({
  render: () => h('main', null, [
    h('button', { onClick: () => (route.value = route.value === 'home' ? 'about' : 'home') }, 'Next page'),
    h('h1', null, 'Page ' + route.value),
    h(ConfabChat, { key: route.value, ...options }),
  ]),
}).mount('#app');
`,
    },
  },
};

let work: string;
const dists: Record<string, string> = {};

test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  test.setTimeout(600_000);
  work = mkdtempSync(join(tmpdir(), 'confab-fresh-'));
  const tarball = pack(work);
  for (const [name, app] of Object.entries(APPS)) {
    const dir = join(work, name);
    install(dir, tarball, app.deps, { 'index.html': INDEX, ...app.files });
    dists[name] = build(dir);
  }
});
test.afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

async function startChat(page: Page): Promise<void> {
  const launcher = page.getByRole('button', { name: 'Open chat' });
  await expect(launcher).toBeVisible();
  await launcher.click();
  const dialog = page.locator('confab-chat').getByRole('dialog');
  await dialog.getByLabel('Your name').fill('Fresh App');
  await dialog.getByRole('button', { name: 'Start chat' }).click();
  await expect(page.locator('confab-chat').getByRole('log').getByText(/How can I help you today\?/)).toBeVisible();
}

for (const name of Object.keys(APPS)) {
  test(`a fresh ${name} app with the packed confab-chat: one launcher, a chat starts${name === 'vite' ? '' : ', route changes keep one launcher'}`, async ({ page }) => {
    const sandbox: Sandbox = await startSandbox({ delayScale: 0.15, staticDir: dists[name] });
    try {
      await page.goto(`${sandbox.url}/`);
      await expect(page.getByRole('button', { name: 'Open chat' })).toBeVisible();
      await expect(page.locator('confab-chat')).toHaveCount(1); // StrictMode: still one
      if (name !== 'vite') {
        for (const title of ['Page about', 'Page home']) {
          await page.getByRole('button', { name: 'Next page' }).click();
          await expect(page.getByRole('heading', { name: title })).toBeVisible();
          await expect(page.locator('confab-chat')).toHaveCount(1);
        }
      }
      await startChat(page);
      await expect(page.locator('confab-chat')).toHaveCount(1);
    } finally {
      await sandbox.close();
    }
  });
}
