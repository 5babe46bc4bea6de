/**
 * Entry point of the UI: mounts the chat window into the widget's shadow root. The
 * launcher belongs to the loader; the window shows only while session.isOpen.
 */
import { effect, type ReadonlySignal } from '@preact/signals-core';
import { render } from 'preact';
import { locale, localePending, t } from '../core/i18n';
import type { Session } from '../core/session-api';
import { Ui, type UiContext } from './context';
import { loadSanitizer } from './html';
import { createAnnouncer, LiveRegion, type Announcer } from './live-region';
import css from './styles.css?inline';
import { onColor, parseHex } from '../core/contrast';
import { watchNotifications } from './notify';
import { prefetchConsent, Window, type WindowHooks } from './window';

export interface UiOptions {
  title: string;
  position: 'right' | 'left';
  theme: 'light' | 'dark' | 'auto';
  color?: string;
  locale: string;
  /** Below this viewport width the window fills the screen (default 480). */
  fullscreenBelowPx?: number;
  /** embed.html: the window fills its page (an iframe), there is no launcher. */
  fullPage?: boolean;
  /** data-logo: the header logo when the vendor sends none. */
  logo?: string;
  /** data-consent-text / data-privacy-url: the consent step's wording and link. */
  consentText?: string;
  privacyUrl?: string;
  /** data-offline-url: the site's contact page for when nobody is available (offline-view.tsx). */
  offlineUrl?: string;
  /**
   * Pre-render (issue 27): while true and the window is closed, it is rendered hidden
   * (invisible, unfocusable, silent) so that opening only shows it. Set on intent; cleared by
   * the first opening (a window closed after that is unmounted, as before).
   */
  warm?: ReadonlySignal<boolean>;
  /** Every data-* option (the first screen's data-greeting and data-reply-time). */
  site?: Readonly<Record<string, string>>;
}

const DEFAULT_FULLSCREEN = 480;

function injectCss(root: ShadowRoot, text: string): () => void {
  // Every engine with adoptedStyleSheets constructs sheets (Chrome 73, Firefox 101, Safari 16.4),
  // as the loader's adoptCss assumes too.
  if (root.adoptedStyleSheets) {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(text);
    root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];
    return () => {
      root.adoptedStyleSheets = root.adoptedStyleSheets.filter((s) => s !== sheet);
    };
  }
  const style = document.createElement('style');
  style.textContent = text;
  root.append(style);
  return () => style.remove();
}

const titleOf = (session: Session, options: UiOptions): string =>
  options.title || session.config.value?.siteName || t('header.defaultTitle');

function App({ session, options, hooks, announcer }: { session: Session; options: UiOptions; hooks: WindowHooks; announcer: Announcer }) {
  const title = titleOf(session, options);
  return (
    <>
      {/* The first non-English table is still loading: a frame of English would flash. */}
      {(session.isOpen.value || options.warm?.value) && !localePending.value && (
        <Window
          title={title}
          fullPage={options.fullPage}
          logo={options.logo}
          consentText={options.consentText}
          privacyUrl={options.privacyUrl}
          focusLauncher={hooks.focusLauncher}
          visitorOpened={hooks.visitorOpened}
          announce={announcer.announce}
        />
      )}
      <LiveRegion lines={announcer.lines} />
    </>
  );
}

/** Renders the chat window into `container` and injects the widget CSS into `root`. Returns unmount. */
export function mountWindow(
  root: ShadowRoot,
  container: HTMLElement,
  session: Session,
  options: UiOptions,
  hooks: WindowHooks,
): () => void {
  const breakpoint = Math.max(0, Math.round(options.fullscreenBelowPx ?? DEFAULT_FULLSCREEN));
  const removeCss = injectCss(root, css.replaceAll('(max-width: 480px)', `(max-width: ${breakpoint}px)`));
  container.classList.add('confab');
  container.dataset.theme = options.theme;
  container.dataset.position = options.position;
  const color = parseHex(options.color);
  if (color) {
    container.style.setProperty('--confab-color', color);
    container.style.setProperty('--confab-on-color', onColor(color));
  }
  // lang/dir follow the strings (setLocale switches them at run time); dir=rtl mirrors the
  // logical CSS, while the window's corner stays where data-position puts it.
  const stopLang = effect(() => {
    container.lang = locale.value.lang;
    container.dir = locale.value.dir;
  });
  const announcer = createAnnouncer();
  const added = new Map<string, () => void>();
  const addStyles = (text: string) => {
    if (text && !added.has(text)) added.set(text, injectCss(root, text));
  };
  if (session.consentPending.peek()) prefetchConsent();
  // Vendors whose lines carry HTML: the sanitizer arrives with the connection, before any line.
  const stopSanitizerFetch = effect(() => {
    if (session.capabilities.value.has('html')) loadSanitizer().catch(() => {});
  });
  const notifications = watchNotifications(session, () => titleOf(session, options));
  const ctx: UiContext = { session, locale: options.locale, announce: announcer.announce, addStyles, notify: notifications.on, offlineUrl: options.offlineUrl, site: options.site, title: () => titleOf(session, options) };
  render(
    <Ui.Provider value={ctx}>
      <App session={session} options={options} hooks={hooks} announcer={announcer} />
    </Ui.Provider>,
    container,
  );
  return () => {
    render(null, container);
    notifications.stop();
    stopLang();
    stopSanitizerFetch();
    announcer.dispose();
    removeCss();
    added.forEach((remove) => remove());
  };
}
