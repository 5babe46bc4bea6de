// @vitest-environment happy-dom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { mount } from '../../src/embed/npm';
import { parseOptions } from '../../src/embed/options';

const whoson = { vendor: 'whoson' as const, server: 'wss://chat.example.com:8009', domain: 'www.example.com', auth: 'a', apiKey: 'k' };

afterEach(() => {
  document.body.innerHTML = '';
  vi.restoreAllMocks();
});

describe('npm entry: mount()', () => {
  it('paints an accessible launcher in an open shadow root and installs the Confab API', () => {
    const call = mount(whoson);
    expect(call).toBeTypeOf('function');
    const host = document.querySelector('confab-chat');
    const launcher = host?.shadowRoot?.querySelector('button');
    expect(launcher?.getAttribute('aria-label')).toBe('Open chat');
    expect(launcher?.getAttribute('aria-expanded')).toBe('false');
    expect(typeof (window as unknown as { Confab: unknown }).Confab).toBe('function');
    expect(call?.('isOpen')).toBe(false);
    expect(call?.('unreadCount')).toBe(0);
  });

  it('refuses bad options with one console error naming the attribute, and adds nothing', () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    // Without data-auth, a type error too (the options' types come from the same REQUIRED table).
    // @ts-expect-error -- auth is missing
    expect(mount({ vendor: 'whoson', server: 'https://not-a-socket.example.com', domain: 'd', apiKey: 'k' })).toBeNull();
    expect(error).toHaveBeenCalledTimes(1);
    expect(String(error.mock.calls[0]?.[0])).toContain('data-server must be a ws:// or wss:// URL');
    expect(document.querySelector('confab-chat')).toBeNull();
  });
});

describe('options', () => {
  it('names the first missing attribute for each vendor', () => {
    expect(parseOptions({})).toMatch(/^data-vendor is missing/);
    expect(parseOptions({ vendor: 'zendesk' })).toMatch(/"zendesk", which is not one of/);
    expect(parseOptions({ vendor: 'whoson', server: 'wss://x' })).toMatch(/^data-domain is missing/);
    // The document gives the Connect authentication string no blank form: it must be set.
    expect(parseOptions({ vendor: 'whoson', server: 'wss://x', domain: 'd', apiKey: 'k' })).toMatch(/^data-auth is missing/);
    expect(parseOptions({ vendor: 'expertflow' })).toMatch(/^data-server is missing/);
    expect(parseOptions({ vendor: 'tencent', sdkAppId: '1' })).toMatch(/^data-user-sig-url is missing/);
    expect(parseOptions({ vendor: 'omnidesk', relay: 'http://x' })).toMatch(/^data-relay must be a ws/);
    expect(parseOptions({ vendor: 'diyalog', relay: 'wss://r' })).toMatch(/^data-transaction-url is missing/);
  });

  it('keeps valid choices and falls back for invalid ones (the app names them: below)', () => {
    const o = parseOptions({ ...whoson, theme: 'neon', position: 'left', color: '#ABCDEF', open: '' });
    expect(typeof o).toBe('object');
    if (typeof o === 'string') return;
    expect([o.theme, o.position, o.color, o.open]).toEqual(['light', 'left', '#ABCDEF', true]);
    const bad = parseOptions({ ...whoson, color: 'red;background:url(x)' });
    expect(typeof bad === 'object' && bad.color).toBeUndefined();
  });
});

describe('options: invalid optional attributes', () => {
  it('log one console error each, naming the attribute and its value, and the widget works with the default', async () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    // A page without types (a script, a CMS) can pass anything: the widget still copes.
    const call = mount({ ...whoson, theme: 'neon', position: 'middle', color: 'red' } as unknown as Parameters<typeof mount>[0]);
    expect(call).toBeTypeOf('function');
    const launcher = document.querySelector('confab-chat')?.shadowRoot?.querySelector('button');
    expect(launcher?.classList.contains('right')).toBe(true);
    expect(document.querySelector('confab-chat')?.getAttribute('data-theme')).toBe('light');
    launcher?.dispatchEvent(new Event('focus')); // the app loads on intent
    await call?.('ready');
    const messages = error.mock.calls.map((c) => String(c[0]));
    expect(messages).toEqual([
      expect.stringMatching(/^Confab: data-theme is "neon", which is not one of light, dark, auto/),
      expect.stringMatching(/^Confab: data-position is "middle", which is not one of right, left/),
      expect.stringMatching(/^Confab: data-color is "red", which is not a #rgb or #rrggbb colour/),
    ]);
    call?.('destroy');
  });

  it('an empty value is no value: no error', async () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const call = mount({ ...whoson, theme: '', color: '' } as unknown as Parameters<typeof mount>[0]);
    document.querySelector('confab-chat')?.shadowRoot?.querySelector('button')?.dispatchEvent(new Event('focus'));
    await call?.('ready');
    expect(error).not.toHaveBeenCalled();
    call?.('destroy');
  });
});

describe('options: URL schemes', () => {
  it('accepts ws:// and wss:// for sockets, http:// and https:// for endpoints, nothing else', () => {
    const ws = (server: string) => parseOptions({ vendor: 'whoson', server, domain: 'd', auth: 'a', apiKey: 'k' });
    expect(typeof ws('ws://127.0.0.1:8009')).toBe('object');
    expect(typeof ws('wss://chat.example.com')).toBe('object');
    expect(ws('https://chat.example.com')).toMatch(/must be a ws:\/\/ or wss:\/\//);
    expect(ws('javascript:alert(1)')).toMatch(/must be a ws/);
    const http = (server: string) => parseOptions({ vendor: 'expertflow', server });
    expect(typeof http('http://127.0.0.1:8080')).toBe('object');
    expect(typeof http('https://chat.example.com')).toBe('object');
    expect(http('ws://chat.example.com')).toMatch(/must be a http:\/\/ or https:\/\//);
  });
});
