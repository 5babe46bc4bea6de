/**
 * The widget's stylesheet as the browser applies it (computed styles, not CSS source text):
 * the theme on :host with the page's inherited styles reset, dark and auto themes, both
 * positions, full screen with a 16px composer on phones, focus outlines, reduced motion.
 */
import { expect, test, type Widget } from './fixtures';

const WHITE = 'rgb(255, 255, 255)';
const DARK_BG = 'rgb(28, 29, 33)';

async function open(widget: Widget, extra: Record<string, string> = {}): Promise<void> {
  await widget.load('whoson', extra);
  await widget.launcher.click();
  await expect(widget.dialog).toBeVisible();
}

const windowOf = (widget: Widget) => widget.root.locator('.confab-window');
const style = (widget: Widget, selector: string, prop: string) =>
  widget.root.locator(selector).first().evaluate((el, p) => getComputedStyle(el).getPropertyValue(p), prop);

test.describe('widget styles, computed', () => {
  test('the theme is custom properties on the host, and the page’s inherited styles do not reach in', async ({ widget, page }) => {
    await widget.load('whoson');
    await page.addStyleTag({ content: 'html, body { letter-spacing: 7px; font-style: italic; text-transform: uppercase; color: rgb(255, 0, 0); }' });
    await widget.launcher.click();
    await expect(widget.dialog).toBeVisible();
    const props = ['--confab-color', '--confab-on-color', '--confab-radius', '--confab-font', '--confab-bg', '--confab-fg', '--confab-muted', '--confab-space'];
    const values = await widget.root.evaluate((host, names) => names.map((n) => getComputedStyle(host).getPropertyValue(n).trim()), props);
    expect(values.every((v) => v !== ''), JSON.stringify(values)).toBe(true);
    for (const selector of ['.confab', '.confab-window']) {
      expect(await style(widget, selector, 'letter-spacing')).toBe('normal');
      expect(await style(widget, selector, 'font-style')).toBe('normal');
      expect(await style(widget, selector, 'text-transform')).toBe('none');
      expect(await style(widget, selector, 'color')).toBe('rgb(27, 27, 31)');
    }
  });

  // One page each: an open chat stays open across a reload, so a second load would close it.
  const THEMES = [
    { name: 'light by default', extra: {}, scheme: 'dark', bg: WHITE },
    { name: 'dark when asked', extra: { theme: 'dark' }, scheme: 'light', bg: DARK_BG },
    { name: 'auto follows a dark system', extra: { theme: 'auto' }, scheme: 'dark', bg: DARK_BG },
    { name: 'auto follows a light system', extra: { theme: 'auto' }, scheme: 'light', bg: WHITE },
  ] as const;
  for (const t of THEMES) {
    test(`theme: ${t.name}`, async ({ widget, page }) => {
      await page.emulateMedia({ colorScheme: t.scheme });
      await open(widget, t.extra);
      await expect(windowOf(widget)).toHaveCSS('background-color', t.bg);
    });
  }

  for (const side of ['right', 'left'] as const) {
    test(`sits at the ${side}${side === 'right' ? ' by default' : ' when asked'}`, async ({ widget, page }) => {
      const width = page.viewportSize()!.width;
      await open(widget, side === 'left' ? { position: 'left' } : {});
      const box = (await windowOf(widget).boundingBox())!;
      if (side === 'left') expect(box.x).toBe(20);
      else expect(box.x + box.width).toBe(width - 20);
    });
  }

  test('shows a 3px focus outline on the control the keyboard reaches', async ({ widget, page }) => {
    await open(widget);
    await page.keyboard.press('Tab');
    const outline = await widget.root.evaluate((host) => {
      const el = host.shadowRoot?.activeElement;
      if (!el) return null;
      const s = getComputedStyle(el);
      return { style: s.outlineStyle, width: s.outlineWidth, visible: el.matches(':focus-visible') };
    });
    expect(outline).toEqual({ style: 'solid', width: '3px', visible: true });
  });

  test('the progress pulse animates, except under a reduced-motion preference', async ({ widget, page }) => {
    await open(widget);
    // The wait screen's markup, read where the stylesheet applies (inside the shadow root).
    const animations = () =>
      widget.root.evaluate((host) => {
        const root = host.shadowRoot!.querySelector('.confab')!;
        const probe = document.createElement('div');
        probe.className = 'confab-progress';
        probe.innerHTML = '<span></span><span></span><span></span>';
        root.append(probe);
        // The pulse's (the window's own opening motion, issue 25 item 15, is another animation).
        const names = [...probe.querySelectorAll('*')].map((el) => getComputedStyle(el).animationName).filter((n) => n !== 'none');
        probe.remove();
        return names;
      });
    expect(await animations()).toEqual(['confab-pulse', 'confab-pulse', 'confab-pulse']);
    await page.emulateMedia({ reducedMotion: 'reduce' });
    expect(await animations()).toEqual([]);
  });
});

test.describe('widget styles on a phone', () => {
  test.use({ viewport: { width: 375, height: 667 }, hasTouch: true });

  test('the open chat fills the screen, and its text fields use 16px (no zoom on focus)', async ({ widget }) => {
    await open(widget);
    expect(await windowOf(widget).boundingBox()).toEqual({ x: 0, y: 0, width: 375, height: 667 });
    const fields = widget.root.locator('.confab-window textarea, .confab-window input:not([type=hidden]):not([type=radio]):not([type=checkbox])');
    await expect(fields.first()).toBeVisible();
    const sizes = await fields.evaluateAll((els) => els.map((el) => getComputedStyle(el).fontSize));
    expect(sizes.length).toBeGreaterThan(0);
    expect(new Set(sizes)).toEqual(new Set(['16px']));
  });
});
