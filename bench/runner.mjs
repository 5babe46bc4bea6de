// The benchmark itself (started by bench/run.mjs under tsx). See README "Performance".
//   node bench/run.mjs [--quick] [--no-build] [--skip-long] [--skip-loads] [--loads N]
//     [--profiles mobile,unthrottled] [--vendors whoson,diyalog] [--before <git rev>] [--report]
// --report writes latest.md again from latest.json (the same flags as the run it reads).
// --before builds that commit of Confab too (into $CONFAB_DIST/before) and measures it in the
// same run, beside today's build: the before/after rows of README's Performance section.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { cpus, totalmem, release } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { chromium } from '@playwright/test';
import { startSandbox } from '../src/server/sandbox/main.ts';
import { startAnchors } from './anchors.mjs';

const argv = process.argv.slice(2);
const arg = (name) => { const i = argv.indexOf(name); return i < 0 ? undefined : argv[i + 1]; };
const QUICK = argv.includes('--quick');
const LOADS = Number(arg('--loads') ?? (QUICK ? 2 : 5));
const BEFORE = arg('--before');
const PROBES = QUICK ? 8 : 20;
const root = fileURLToPath(new URL('..', import.meta.url));
const DIST = process.env.CONFAB_DIST ?? '/tmp/dist-bench';
const PROBE_SCRIPT = fileURLToPath(new URL('./page-probes.js', import.meta.url));
const VENDORS = arg('--vendors')?.split(',') ?? ['whoson', 'expertflow', 'tencent', 'omnidesk', 'diyalog'];
const ALL_PROFILES = {
  unthrottled: null,
  // Mobile-like, through CDP: 4× CPU slowdown, 1.6 Mbit/s down, 750 kbit/s up, 150 ms RTT.
  mobile: { cpu: 4, latency: 150, down: 1.6e6 / 8, up: 0.75e6 / 8 },
};
const PROFILES = Object.fromEntries(Object.entries(ALL_PROFILES).filter(([n]) => !arg('--profiles') || arg('--profiles').split(',').includes(n)));
/** The host-page tap probe: taps on the page's text this many ms after its load event. */
const TAPS_AT = [0, 250, 500, 750, 1000, 1500, 2000, 3000];
/** A mouse rests on the launcher this long between hover (intent) and click. */
const DWELL = 250;
const log = (...a) => console.log(...a);

if (!argv.includes('--no-build') && !argv.includes('--report')) {
  log(`building Confab into ${DIST}`);
  const r = spawnSync(process.execPath, ['scripts/build.mjs', '--quiet'], { cwd: root, stdio: 'inherit', env: { ...process.env, CONFAB_DIST: DIST } });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
if (BEFORE && !argv.includes('--no-build') && !argv.includes('--report')) {
  // The old commit's sources in a temporary folder, built with today's node_modules.
  const src = mkdtempSync(join(tmpdir(), 'confab-before-'));
  const tar = spawnSync('sh', ['-c', `git archive ${JSON.stringify(BEFORE)} | tar -x -C ${JSON.stringify(src)}`], { cwd: root, stdio: 'inherit' });
  if (tar.status !== 0) process.exit(1);
  symlinkSync(join(root, 'node_modules'), join(src, 'node_modules'));
  log(`building Confab ${BEFORE} into ${DIST}/before`);
  const r = spawnSync(process.execPath, ['scripts/build.mjs', '--quiet'], { cwd: src, stdio: 'inherit', env: { ...process.env, CONFAB_DIST: join(DIST, 'before') } });
  rmSync(src, { recursive: true, force: true });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

// ---------- statistics ----------
const sorted = (xs) => xs.filter((x) => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b);
const pct = (xs, p) => { const s = sorted(xs); return s.length ? s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] : null; };
const median = (xs) => { const s = sorted(xs); if (!s.length) return null; const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const summary = (xs) => ({ median: median(xs), min: sorted(xs)[0] ?? null, max: sorted(xs).at(-1) ?? null, n: sorted(xs).length });

// ---------- a measured page ----------
async function openPage(browser, profile, initScript) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  await context.addInitScript({ path: PROBE_SCRIPT });
  if (initScript) await context.addInitScript(initScript);
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  // Each context starts with an empty HTTP cache, as a first visit; the cache stays on, since
  // the idle preload fetches into it (<link rel=prefetch>) for the import on intent to take.
  await cdp.send('Performance.enable', { timeDomain: 'threadTicks' });
  if (profile) {
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: profile.latency, downloadThroughput: profile.down, uploadThroughput: profile.up });
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: profile.cpu });
  }
  const reqs = new Map();
  let lastActivity = Date.now();
  cdp.on('Network.requestWillBeSent', (e) => { lastActivity = Date.now(); if (!reqs.has(e.requestId)) reqs.set(e.requestId, { url: e.request.url, wall: e.wallTime * 1000, done: false, encoded: 0, mime: '' }); });
  cdp.on('Network.responseReceived', (e) => { const r = reqs.get(e.requestId); if (r) r.mime = e.response.mimeType; });
  const finish = (e, failed) => { lastActivity = Date.now(); const r = reqs.get(e.requestId); if (r) { r.done = true; r.failed = failed; r.encoded = e.encodedDataLength ?? 0; } };
  cdp.on('Network.loadingFinished', (e) => finish(e, false));
  cdp.on('Network.loadingFailed', (e) => finish(e, true));
  const quiet = async (ms = 700, max = 15000) => {
    const end = Date.now() + max;
    while (Date.now() < end) {
      const pending = [...reqs.values()].some((r) => !r.done);
      if (!pending && Date.now() - lastActivity >= ms) return;
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  /** gzip -9 bytes of each response body (images and fonts as transferred). */
  const sizes = async () => {
    for (const [id, r] of reqs) {
      if (r.gzip !== undefined || !r.done) continue;
      r.gzip = 0;
      if (r.failed || r.url.startsWith('data:')) continue;
      try {
        const { body, base64Encoded } = await cdp.send('Network.getResponseBody', { requestId: id });
        const buf = Buffer.from(body, base64Encoded ? 'base64' : 'utf8');
        r.gzip = /image|font|octet/.test(r.mime) ? buf.length : gzipSync(buf, { level: 9 }).length;
      } catch {
        r.gzip = r.encoded;
      }
    }
  };
  const heap = async () => {
    await cdp.send('HeapProfiler.collectGarbage');
    return (await cdp.send('Runtime.getHeapUsage')).usedSize;
  };
  const taskMs = async () => (await cdp.send('Performance.getMetrics')).metrics.find((m) => m.name === 'TaskDuration').value * 1000;
  const inFrames = async (fn) => { const out = []; for (const f of page.frames()) out.push(await f.evaluate(fn).catch(() => null)); return out; };
  return { context, page, cdp, reqs, quiet, sizes, heap, taskMs, inFrames };
}

const sum = (rs, key) => rs.reduce((a, r) => a + (r[key] ?? 0), 0);

/**
 * Long tasks a widget caused, from one frame's probes: those during which one of the widget's
 * own scripts (served from `origin`) ran, as the long-animation-frame entries attribute
 * scripts. From `since` (performance.now() ms of that frame) on.
 */
function ownTasks(frame, origin, since = 0) {
  if (!frame) return { count: 0, longest: 0, scriptMs: 0 };
  const mine = frame.loafs.flatMap((l) => l.scripts).filter((x) => x.url?.startsWith(origin) && x.start + x.duration >= since);
  const tasks = frame.tasks.filter((t) => t.start + t.duration >= since && mine.some((x) => x.start < t.start + t.duration && x.start + x.duration > t.start));
  return {
    count: tasks.length,
    longest: Math.max(0, ...tasks.map((t) => t.duration)),
    scriptMs: mine.reduce((a, x) => a + x.duration, 0),
  };
}

/** Tap on the host page's own text at TAPS_AT ms after its load event, as the widget preloads. */
async function tapProbe(page) {
  const box = await page.locator('p').first().boundingBox();
  const loadedAt = await page.evaluate(() => performance.timeOrigin + performance.getEntriesByType('navigation')[0].loadEventEnd);
  for (const at of TAPS_AT) {
    const wait = loadedAt + at - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    await page.mouse.click(box.x + 5, box.y + box.height / 2);
  }
  // Event Timing entries are reported after the next paint.
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 100))));
  return page.evaluate((n) => {
    // One interaction per tap (pointerdown, pointerup and click share its id); the longest of
    // its entries is its latency. A tap with no entry took under 16 ms: counted as 16.
    const byId = new Map();
    for (const e of window.__bench.events) byId.set(e.id, Math.max(byId.get(e.id) ?? 0, e.duration));
    const out = [...byId.values()];
    while (out.length < n) out.push(16);
    return out.slice(0, n);
  }, TAPS_AT.length);
}

async function measureLoad(browser, profile, target) {
  const p = await openPage(browser, profile, target.init);
  try {
    await p.page.goto(target.url, { waitUntil: 'load', timeout: 60000 });
    const tapping = tapProbe(p.page);
    const navStart = await p.page.evaluate(() => performance.timeOrigin);
    let painted = null;
    let seen = null;
    if (target.launcher) {
      const end = Date.now() + 30000;
      while (!painted && Date.now() < end) {
        painted = (await p.inFrames(() => window.__bench?.painted ?? null)).find((x) => x) ?? null;
        seen = (await p.inFrames(() => window.__bench?.seen ?? null)).find((x) => x) ?? null;
        if (!painted) await new Promise((r) => setTimeout(r, 50));
      }
    }
    const taps = await tapping;
    await p.quiet();
    await p.sizes();
    const all = [...p.reqs.values()];
    const origin = new URL(target.url).origin;
    const frames = await p.inFrames(() => window.__bench && { tasks: window.__bench.tasks, loafs: window.__bench.loafs, cls: window.__bench.cls });
    const own = frames.map((f) => ownTasks(f, origin));
    // Bytes the launcher needed: requests started before it was first seen in a frame.
    const before = seen ? all.filter((r) => r.wall <= seen) : all;
    const out = {
      paintMs: painted ? painted - navStart : null,
      requestsBefore: before.length,
      gzipBefore: sum(before, 'gzip'),
      requestsAfterLoad: all.length,
      gzipAfterLoad: sum(all, 'gzip'),
      tbtMs: (await p.inFrames(() => window.__bench?.tbt ?? 0)).reduce((a, b) => a + (b ?? 0), 0),
      busyMs: await p.taskMs(),
      heapBytes: await p.heap(),
      tapMs: taps,
      ownLongTasks: own.reduce((a, o) => a + o.count, 0),
      ownLongestTaskMs: Math.max(0, ...own.map((o) => o.longest)),
      ownScriptMs: own.reduce((a, o) => a + o.scriptMs, 0),
      cls: frames.reduce((a, f) => a + (f?.cls ?? 0), 0),
    };
    if (target.open) {
      await target.open(p.page);
      await p.quiet();
      await p.sizes();
      const after = [...p.reqs.values()];
      out.gzipAfterOpen = sum(after, 'gzip');
      out.clsAfterOpen = (await p.inFrames(() => window.__bench?.cls ?? 0)).reduce((a, b) => a + (b ?? 0), 0);
      out.requestsAfterOpen = after.length;
    } else {
      out.gzipAfterOpen = out.gzipAfterLoad;
      out.requestsAfterOpen = out.requestsAfterLoad;
    }
    return out;
  } finally {
    await p.context.close();
  }
}

// ---------- Confab interactions ----------
const confab = (page) => page.locator('confab-chat');
const openConfab = async (page) => {
  await confab(page).getByRole('button', { name: /^Open chat/ }).click();
  await confab(page).getByRole('dialog').waitFor({ timeout: 30000 });
};
const SAVE_DATA = () => Object.defineProperty(navigator, 'connection', { configurable: true, value: { saveData: true, effectiveType: '4g' } });

/**
 * Intent, then click on the launcher → focus is in the chat window and that frame is painted.
 * `dwell`: ms the mouse rests on the launcher before the click (0: a tap, where the pointer
 * arrives as it presses). Also the long tasks of Confab's scripts from the hover on.
 */
async function clickToFocus(browser, profile, hostUrl, preload, dwell) {
  const p = await openPage(browser, profile, preload ? undefined : SAVE_DATA);
  try {
    await p.page.goto(hostUrl, { waitUntil: 'load' });
    await p.page.waitForFunction(() => window.__bench.painted);
    if (preload) {
      await p.page.waitForFunction(() => performance.getEntriesByType('resource').some((e) => /\/assets\/app-/.test(e.name) && e.responseEnd > 0), null, { timeout: 30000 });
      await p.quiet();
    }
    const since = await p.page.evaluate(() => {
      const B = window.__bench;
      // Focus moves inside the widget's shadow root, where no focus event reaches the page:
      // from the click on, look at the deep active element every frame.
      addEventListener('pointerdown', () => {
        if (B.down) return;
        B.down = performance.timeOrigin + performance.now();
        const tick = () => {
          let el = document.activeElement;
          while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
          if (el && el.getRootNode() !== document && !el.classList.contains('launcher')) return B.afterPaint((t) => (B.focusAt = t));
          requestAnimationFrame(tick);
        };
        tick();
      }, { capture: true });
      return performance.now();
    });
    const launcher = confab(p.page).getByRole('button', { name: /^Open chat/ });
    if (dwell) {
      await launcher.hover();
      await new Promise((r) => setTimeout(r, dwell));
    }
    await launcher.click();
    await p.page.waitForFunction(() => window.__bench.focusAt, null, { timeout: 30000 });
    const ms = await p.page.evaluate(() => window.__bench.focusAt - window.__bench.down);
    const own = ownTasks(await p.page.evaluate(() => ({ tasks: window.__bench.tasks, loafs: window.__bench.loafs })), new URL(hostUrl).origin, since);
    return { ms, longTasks: own.count, longestTaskMs: own.longest };
  } finally {
    await p.context.close();
  }
}

/** A WhosOn chat that grows to 1,000 then 10,000 lines through the simulator's flood route. */
async function longConversation(browser, profile, sandbox, hostUrl) {
  const p = await openPage(browser, profile);
  const flood = async (n, prefix) => {
    const r = await fetch(`${sandbox.url}/__sandbox/flood?vendor=whoson&n=${n}&prefix=${encodeURIComponent(prefix)}`, { method: 'POST' });
    if (!(await r.json()).chats) throw new Error('flood reached no chat');
  };
  const lastRowHas = (text, timeout) =>
    p.page.waitForFunction((t) => document.querySelector('confab-chat')?.shadowRoot?.querySelector('[role=log]')?.lastElementChild?.textContent.includes(t), text, { timeout, polling: 250 });
  const probe = async (k) => {
    await p.page.evaluate((key) => {
      const log = document.querySelector('confab-chat').shadowRoot.querySelector('[role=log]');
      window.__probe = new Promise((res) => {
        const mo = new MutationObserver(() => {
          if (log.lastElementChild?.textContent.includes(`Probe ${key} `)) { mo.disconnect(); window.__bench.afterPaint((t) => res(t - window.__bench.frames[key])); }
        });
        mo.observe(log, { childList: true, subtree: true, characterData: true });
      });
    }, k);
    await flood(1, `Probe ${k}`);
    return p.page.evaluate(() => window.__probe);
  };
  const rows = () => p.page.evaluate(() => document.querySelector('confab-chat').shadowRoot.querySelectorAll('[role=log] > *').length);
  const out = {};
  let k = 0;
  try {
    await p.page.goto(hostUrl, { waitUntil: 'load' });
    await openConfab(p.page);
    const dialog = confab(p.page).getByRole('dialog');
    await dialog.getByRole('textbox').first().fill('Bench');
    await dialog.getByRole('button', { name: 'Start chat' }).click();
    await confab(p.page).getByRole('log').getByText(/my name is Alex/).waitFor({ timeout: 30000 });
    let have = 0;
    for (const size of [1000, 10000]) {
      // The lines since the last step (probes included) in one go: "size" lines in the log.
      const batch = size - have;
      const t0 = Date.now();
      await flood(batch, `Line${size}`);
      await lastRowHas(`Line${size} ${batch} of ${batch}:`, 120000);
      out[`ingest${size}Ms`] = Date.now() - t0;
      out[`batch${size}`] = batch;
      const samples = [];
      for (let i = 0; i < PROBES; i++) samples.push(await probe(++k));
      have = size + PROBES;
      out[`paint${size}`] = { p50: pct(samples, 50), p95: pct(samples, 95), samples };
      out[`rows${size}`] = await rows();
      out[`heapAfter${size}Bytes`] = await p.heap();
    }
    // Reload: the loader sees the stored session and restores the transcript at once. Restored
    // means the line that was last before the reload is painted at the end of the log again.
    const last = `Probe ${k} `;
    await p.page.evaluate((text) => sessionStorage.setItem('bench:restore', text), last);
    out.snapshotChars = await p.page.evaluate(() => Object.keys(sessionStorage).filter((x) => x.startsWith('confab:')).reduce((a, x) => a + sessionStorage.getItem(x).length, 0));
    const crashed = new Promise((r) => p.page.once('crash', () => r('the page crashed')));
    await Promise.race([p.page.reload({ waitUntil: 'load' }), crashed.then((m) => { throw new Error(m); })]);
    await p.page.waitForFunction(() => window.__bench.restored, null, { timeout: 60000, polling: 250 }).catch(() => null);
    out.restoreMs = await p.page.evaluate(() => (window.__bench.restored ? window.__bench.restored - performance.timeOrigin : null));
    out.restoredRows = await rows().catch(() => null);
    return out;
  } catch (err) {
    out.error = String(err).slice(0, 300);
    return out;
  } finally {
    await p.context.close();
  }
}

// ---------- the run ----------
/** Runs every measure; the report below reads what it returns (or, --report, the last run's latest.json). */
async function run() {
  const started = Date.now();
  // Served as a CDN serves a build with content-hashed chunk names: cacheable. (The sandbox's
  // own default, no-cache without validators, would make the browser download a prefetched
  // chunk again when it is imported; README says how to serve dist/.) Each load is a fresh
  // context with an empty cache, so the host page and confab.js are always fetched.
  const sandbox = await startSandbox({ staticDir: DIST, delayScale: 0.02, compress: true, headers: { 'cache-control': 'public, max-age=31536000, immutable' } });
  sandbox.tune({ delayScale: 0.02, queueFrom: 0 });
  const anchors = await startAnchors();
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
  const kebab = (s) => s.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
  const hostFor = {};
  for (const v of VENDORS) {
    const attrs = { vendor: v, ...sandbox.vendors[v].attributes };
    // The site owner's minimal embed on a blank host page, on the sandbox origin (the relays allow only it).
    writeFileSync(join(DIST, `bench-${v}.html`), `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Host</title><link rel="icon" href="data:,"></head><body><h1>A host page</h1><p>Some content.</p><script src="./confab.js" async ${Object.entries(attrs).map(([k, val]) => `data-${kebab(k)}="${esc(val)}"`).join(' ')}></script></body></html>`);
    hostFor[v] = `${sandbox.url}/bench-${v}.html`;
    // The same embed of the --before build, beside it on the same origin.
    if (BEFORE) writeFileSync(join(DIST, `bench-before-${v}.html`), readFileSync(join(DIST, `bench-${v}.html`), 'utf8').replace('src="./confab.js"', 'src="./before/confab.js"'));
  }
  /** The vendor of the "Confab alone" measures (click → window, long conversation). */
  const ALONE = VENDORS.includes('whoson') ? 'whoson' : VENDORS[0];
  const beforeHost = `${sandbox.url}/bench-before-${ALONE}.html`;
  const targets = [
    { name: 'blank page', url: `${anchors.url}/blank.html` },
    ...VENDORS.map((v) => ({ name: `Confab (${v})`, url: hostFor[v], launcher: true, open: openConfab })),
    ...(BEFORE ? [{ name: `Confab ${BEFORE} (${ALONE})`, url: beforeHost, launcher: true, open: openConfab }] : []),
    {
      name: '@rocket.chat/livechat', url: `${anchors.url}/rocketchat.html`, launcher: true,
      open: async (page) => {
        const frame = page.frameLocator('#rocketchat-iframe');
        await frame.locator('[class*="screen__chat-button"]').click();
        await frame.locator('[class*="screen--minimized"]').waitFor({ state: 'detached', timeout: 30000 }).catch(() => {});
      },
    },
    { name: 'deep-chat', url: `${anchors.url}/deepchat.html`, launcher: true },
  ];

  const results = { machine: {}, profiles: {}, confab: {} };
  results.machine = { cpu: cpus()[0]?.model, cores: cpus().length, memGB: Math.round(totalmem() / 2 ** 30), kernel: release(), node: process.version, chromium: browser.version(), loads: LOADS, date: new Date().toISOString() };
  try {
    const raw = {};
    for (let i = 0; i < (argv.includes('--skip-loads') ? 0 : LOADS); i++) {
      for (const [pname, profile] of Object.entries(PROFILES)) {
        for (const t of targets) {
          const r = await measureLoad(browser, profile, t).catch((err) => ({ error: String(err).slice(0, 200) }));
          ((raw[pname] ??= {})[t.name] ??= []).push(r);
          log(`load ${i + 1}/${LOADS} ${pname.padEnd(11)} ${t.name.padEnd(22)} ${r.error ?? `launcher ${r.paintMs?.toFixed(0) ?? '-'} ms, ${(r.gzipBefore / 1024).toFixed(1)} KB before, ${(r.gzipAfterOpen / 1024).toFixed(1)} KB after open`}`);
        }
      }
    }
    for (const [pname, byTarget] of Object.entries(raw)) {
      const blank = byTarget['blank page'].filter((r) => !r.error);
      const blankBusy = median(blank.map((r) => r.busyMs));
      const blankTbt = median(blank.map((r) => r.tbtMs));
      const blankHeap = median(blank.map((r) => r.heapBytes));
      const blankBytes = median(blank.map((r) => r.gzipAfterLoad));
      results.profiles[pname] = {};
      for (const [name, runs] of Object.entries(byTarget)) {
        const ok = runs.filter((r) => !r.error);
        const col = (f) => summary(ok.map(f));
        results.profiles[pname][name] = {
          errors: runs.filter((r) => r.error).map((r) => r.error),
          gzipBeforeLauncher: col((r) => r.gzipBefore - (name === 'blank page' ? 0 : blankBytes)),
          requestsBeforeLauncher: col((r) => r.requestsBefore),
          gzipAfterOpen: col((r) => r.gzipAfterOpen - (name === 'blank page' ? 0 : blankBytes)),
          launcherPaintMs: col((r) => r.paintMs),
          addedBlockingMs: col((r) => r.tbtMs - blankTbt),
          addedBusyMs: col((r) => r.busyMs - blankBusy),
          addedHeapBytes: col((r) => r.heapBytes - blankHeap),
          // Every tap of every load: the host page's interaction latency while the widget preloads.
          tapMs: summary(ok.flatMap((r) => r.tapMs ?? [])),
          tapP90Ms: pct(ok.flatMap((r) => r.tapMs ?? []), 90),
          ownLongTasks: col((r) => r.ownLongTasks),
          ownLongestTaskMs: col((r) => r.ownLongestTaskMs),
          ownScriptMs: col((r) => r.ownScriptMs),
          cls: col((r) => r.cls),
          clsAfterOpen: col((r) => r.clsAfterOpen ?? r.cls),
          raw: runs,
        };
      }
    }

    // After intent, WhosOn: a mouse that rests DWELL ms on the launcher, or a tap (no dwell),
    // with the idle preload done, and with no preload (Save-Data, as on 2G); the --before build too.
    const CELLS = [
      ['hoverPreloaded', hostFor[ALONE], true, DWELL],
      ['tapPreloaded', hostFor[ALONE], true, 0],
      ['hoverCold', hostFor[ALONE], false, DWELL],
      ...(BEFORE ? [['beforeHoverPreloaded', beforeHost, true, DWELL], ['beforeTapPreloaded', beforeHost, true, 0], ['beforeHoverCold', beforeHost, false, DWELL]] : []),
    ];
    for (const [pname, profile] of Object.entries(PROFILES)) {
      const c = (results.confab[pname] = {});
      const samples = {};
      for (let i = 0; i < LOADS; i++) {
        for (const [key, url, preload, dwell] of CELLS) {
          (samples[key] ??= []).push(await clickToFocus(browser, profile, url, preload, dwell).catch((e) => (log(key, String(e).slice(0, 300)), null)));
        }
      }
      for (const [key, runs] of Object.entries(samples)) {
        const ok = runs.filter(Boolean);
        c[key] = { ...summary(ok.map((r) => r.ms)), longTasks: summary(ok.map((r) => r.longTasks)), longestTaskMs: summary(ok.map((r) => r.longestTaskMs)), samples: runs };
        log(`${pname}: ${key} click → window focused ${c[key].median?.toFixed(0)} ms, Confab long tasks from intent ${c[key].longTasks.median}, longest ${c[key].longestTaskMs.median?.toFixed(0)} ms`);
      }
      if (!argv.includes('--skip-long')) {
        c.long = await longConversation(browser, profile, sandbox, hostFor[ALONE]);
        log(`${pname}: long conversation`, JSON.stringify({ ...c.long, paint1000: c.long.paint1000?.p50, paint10000: c.long.paint10000?.p50 }));
      }
    }
  } finally {
    await browser.close();
    await anchors.close();
    await sandbox.close();
  }
  results.machine.durationS = Math.round((Date.now() - started) / 1000);
  return results;
}
const REPORT = argv.includes('--report');
const results = REPORT ? JSON.parse(readFileSync(join(root, 'bench/results/latest.json'), 'utf8')) : await run();

// ---------- report ----------
const kb = (b) => (b == null ? '–' : `${(b / 1024).toFixed(1)}`);
const ms = (x) => (x == null ? '–' : `${Math.round(x)}`);
const mb = (b) => (b == null ? '–' : `${(b / 2 ** 20).toFixed(2)}`);
const cls = (x) => (x == null ? '–' : x === 0 ? '0' : x.toFixed(4));
const cell = (s, f) => (s?.median == null ? '–' : `${f(s.median)} (${f(s.min)}–${f(s.max)})`);
const m = results.machine;
let md = `# Confab benchmark\n\n${m.date} · ${m.cpu}, ${m.cores} cores, ${m.memGB} GB · Linux ${m.kernel} · Chromium ${m.chromium} (headless) · Node ${m.node} · ${m.loads} interleaved fresh loads per cell · run took ${m.durationS} s\n\n`;
md += 'Cells: median (min–max). Bytes are gzip -9 of every response body (KB = 1024 B), minus the blank host page. "Blocking" is the sum of (long task − 50 ms); "busy" is CDP TaskDuration; both and the heap are added to a blank host page, measured once the network is quiet after load (Confab\'s idle preload included).\n\n';
for (const [pname, rows] of Object.entries(results.profiles)) {
  md += `## ${pname === 'mobile' ? 'Mobile-like (4× CPU, 1.6 Mbit/s, 150 ms RTT)' : 'Unthrottled'}\n\n| widget | KB before launcher | requests before launcher | KB after opening | launcher painted (ms) | added blocking (ms) | added busy (ms) | added heap (MB) |\n|---|---|---|---|---|---|---|---|\n`;
  for (const [name, r] of Object.entries(rows)) {
    if (name === 'blank page') continue;
    md += `| ${name} | ${cell(r.gzipBeforeLauncher, kb)} | ${cell(r.requestsBeforeLauncher, ms)} | ${cell(r.gzipAfterOpen, kb)} | ${cell(r.launcherPaintMs, ms)} | ${cell(r.addedBlockingMs, ms)} | ${cell(r.addedBusyMs, ms)} | ${cell(r.addedHeapBytes, mb)} |${r.errors.length ? ` ${r.errors.length} failed` : ''}\n`;
  }
  md += `\nBefore intent (load → network quiet, idle preload included; ${TAPS_AT.length} taps on the host page's text ${TAPS_AT.join(', ')} ms after its load event, per load). "Its scripts' time" sums the long-animation-frame script entries from the widget's own origin (only frames over 50 ms are reported: a lower bound); "widget's long tasks" are long tasks during which one of those scripts ran. Tap latency is Event Timing's duration per interaction (one under 16 ms is not reported and counts as 16). Layout shifts: every entry, input or not; those by opening are the window's own content, after the click.\n\n| widget | its scripts' time (ms) | added busy (ms) | widget's long tasks | its longest (ms) | added blocking (ms) | tap latency, median / p90 / max (ms) | layout shift at load (CLS) / any shift by opening |\n|---|---|---|---|---|---|---|---|\n`;
  for (const [name, r] of Object.entries(rows)) {
    const tap = `${ms(r.tapMs.median)} / ${ms(r.tapP90Ms)} / ${ms(r.tapMs.max)}`;
    if (name === 'blank page') md += `| blank page | – | – | – | – | – | ${tap} | ${cls(r.cls.max)} |\n`;
    else md += `| ${name} | ${cell(r.ownScriptMs, ms)} | ${cell(r.addedBusyMs, ms)} | ${cell(r.ownLongTasks, ms)} | ${cell(r.ownLongestTaskMs, ms)} | ${cell(r.addedBlockingMs, ms)} | ${tap} | ${cls(r.cls.max)} / ${cls(r.clsAfterOpen.max)} |\n`;
  }
  md += '\n';
}
md += '## Confab alone (WhosOn against its simulator)\n\n| measure | unthrottled | mobile-like |\n|---|---|---|\n';
const both = (f) => `| ${f(results.confab.unthrottled ?? {})} | ${f(results.confab.mobile ?? {})} |`;
const CELL_NAMES = {
  hoverPreloaded: `hover ${DWELL} ms → click → window focused and painted, idle preload done (ms)`,
  tapPreloaded: 'tap (no hover) → window focused and painted, idle preload done (ms)',
  hoverCold: `hover ${DWELL} ms → click → window focused and painted, no preload (Save-Data) (ms)`,
};
for (const [key, label] of Object.entries(CELL_NAMES)) {
  md += `| ${label} ${both((c) => cell(c[key], ms))}\n`;
  md += `| … Confab's long tasks from the hover on, count / longest (ms) ${both((c) => (c[key] ? `${ms(c[key].longTasks.median)} / ${ms(c[key].longestTaskMs.median)}` : '–'))}\n`;
  if (BEFORE) {
    const b = `before${key[0].toUpperCase()}${key.slice(1)}`;
    md += `| ${BEFORE}: ${label} ${both((c) => cell(c[b], ms))}\n`;
    md += `| … ${BEFORE}: Confab's long tasks from the hover on, count / longest (ms) ${both((c) => (c[b] ? `${ms(c[b].longTasks.median)} / ${ms(c[b].longestTaskMs.median)}` : '–'))}\n`;
  }
}
if (!argv.includes('--skip-long')) {
  for (const n of [1000, 10000]) {
    const lines = results.confab.unthrottled?.long?.[`batch${n}`] ?? n;
    md += `| ${lines.toLocaleString('en')} lines arrive back to back${lines === n ? '' : ` (to ${n.toLocaleString('en')})`} → last one painted (ms) ${both((c) => ms(c.long?.[`ingest${n}Ms`]))}\n`;
    md += `| incoming message → painted with ${n.toLocaleString('en')} in the log, p50 / p95 (ms) ${both((c) => (c.long?.[`paint${n}`] ? `${c.long[`paint${n}`].p50?.toFixed(1)} / ${c.long[`paint${n}`].p95?.toFixed(1)}` : '–'))}\n`;
  }
  md += `| rows rendered in the log with 1,000 / 10,000 messages ${both((c) => `${c.long?.rows1000 ?? '–'} / ${c.long?.rows10000 ?? '–'}`)}\n`;
  md += `| JS heap after 1,000 / 10,000 messages (MB) ${both((c) => `${mb(c.long?.heapAfter1000Bytes)} / ${mb(c.long?.heapAfter10000Bytes)}`)}\n`;
  md += `| reload with 10,000 lines in the chat → last line restored and painted, from navigation start (ms) ${both((c) => (c.long?.restoreMs == null ? `not restored (${c.long?.restoredRows ?? '?'} rows)` : ms(c.long.restoreMs)))}\n`;
  md += `| stored snapshot (chars in sessionStorage) ${both((c) => c.long?.snapshotChars?.toLocaleString('en') ?? '–')}\n`;
}
const errs = Object.entries(results.confab).filter(([, c]) => c.long?.error).map(([p, c]) => `- ${p}: ${c.long.error}`);
if (errs.length) md += `\nErrors:\n${errs.join('\n')}\n`;
md += `\nSelectors for "launcher painted": Confab \`confab-chat\` shadow \`button.launcher\`; Rocket.Chat \`[class*="screen__chat-button"]\` inside \`#rocketchat-iframe\`; deep-chat (no launcher, renders inline) its shadow \`#text-input\`. Painted = visible box, then the first task after the next animation frame.\n`;

const outDir = join(root, 'bench/results');
mkdirSync(outDir, { recursive: true });
writeFileSync(join(outDir, 'latest.json'), JSON.stringify(results, null, 2));
writeFileSync(join(outDir, 'latest.md'), md);
log(`\n${md}\nwrote bench/results/latest.md and latest.json`);
