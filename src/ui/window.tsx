/**
 * The chat window: a non-modal dialog named by its header title. It shows the view for
 * the session's phase, the connection line, the error banner and the one live region.
 * Opening at the visitor's request focuses the first useful control (data-open and a window
 * restored after a navigation leave focus where it is); Escape or "Minimise chat" closes and
 * hands focus back to the launcher. Focus otherwise moves only when the view the visitor was
 * in disappears (e.g. the pre-chat form after "Start chat").
 */
import { useEffect, useId, useLayoutEffect, useRef } from 'preact/hooks';
import { t } from '../core/i18n';
import type { Phase } from '../core/session-api';
import { useUi } from './context';
import { ErrorBanner } from './error-banner';
import { Header } from './header';
import { extrasNow } from './extras';
import { lazyView, viewsArrived } from './lazy-view';
import { useSessionAnnouncements } from './live-region';
import { ChatView } from './chat-view';
import { prefetchItems } from './message-list';
import { PrechatForm } from './prechat-form';
import { StatusBar } from './status-bar';

// What a visitor needs when the window opens (pre-chat form, conversation) is in the app
// chunk. The after-chat and leave-a-message views belong to later phases: they are chunks
// of their own, prefetched once a chat is under way (see lazy-view.tsx).
const ended = lazyView(() => import('./ended-view').then((m) => m.EndedView));
const offline = lazyView(() => import('./offline-view').then((m) => m.OfflineView));
const EndedView = ended.View;
// Only sites that set data-consent="required" show it, so only they download it (at once).
const consentStep = lazyView(() => import('./consent-view').then((m) => m.ConsentView));
const ConsentView = consentStep.View;
export const prefetchConsent = consentStep.prefetch;
const OfflineView = offline.View;

const FIRST_CONTROL = '.confab-prechat input:not([disabled]), .confab-prechat select, .confab-prechat textarea, .confab-composer textarea:not([disabled])';
const ANY_CONTROL = 'input:not([disabled]):not([type=file]), select, textarea:not([disabled]), button:not([disabled])';

/**
 * While a chat starts the message box is still disabled: focus waits on the log rather than on
 * the wait screen's "Cancel", where a second Enter from the pre-chat form would cancel the chat
 * (issue 25 item 1); it moves on to the message box once that opens.
 */
function focusFirst(dialog: HTMLElement): HTMLElement {
  const body = dialog.querySelector('.confab-body-area');
  const log = body?.querySelector('.confab-composer') ? body.querySelector<HTMLElement>('[role=log]') : null;
  // A control outside the log first: focusing an old quick reply scrolls the log to the top.
  const controls = [...(body?.querySelectorAll<HTMLElement>(ANY_CONTROL) ?? [])];
  const target = dialog.querySelector<HTMLElement>(FIRST_CONTROL) ?? log ?? controls.find((c) => !c.closest('[role=log]')) ?? controls[0] ?? dialog;
  target.focus();
  return target;
}

function Body({ phase, onStart }: { phase: Phase; onStart(a: Record<string, string>): void }) {
  switch (phase) {
    case 'closed':
      return <p class="confab-loading">{t('window.loading')}</p>;
    case 'prechat':
      return <PrechatForm onStart={onStart} />;
    case 'offline':
      return <OfflineView />;
    case 'ended':
    case 'postchat':
    case 'done':
      // The same tree as the conversation: the log is not rebuilt (and does not jump) when the chat ends.
      return (
        <ChatView waiting={false}>
          <EndedView />
        </ChatView>
      );
    default:
      return <ChatView waiting={phase === 'starting' || phase === 'waiting'} />;
  }
}

/** What the window asks of whoever mounted it. */
export interface WindowHooks {
  focusLauncher(): void;
  /** Whether the opening that mounted the window answered the visitor (asked once per opening). */
  visitorOpened?(): boolean;
}

export interface WindowProps extends WindowHooks {
  title: string;
  fullPage?: boolean;
  logo?: string;
  consentText?: string;
  privacyUrl?: string;
  announce(text: string): void;
}

/** A hidden window announces nothing; the live region hears it once it is shown. */
const quiet = () => {};
/** Hidden, its layout done: visibility keeps it out of the accessibility tree and the tab order; its opening motion waits for the showing. */
const HIDDEN = { visibility: 'hidden', animation: 'none' };

export function Window({ title, fullPage, logo, consentText, privacyUrl, focusLauncher, visitorOpened, announce }: WindowProps) {
  const { session } = useUi();
  const titleId = useId();
  const ref = useRef<HTMLDivElement>(null);
  const hadFocus = useRef(false);
  /** Where the window put focus itself (not the visitor): it may move on when the phase changes. */
  const parked = useRef<Element | null>(null);
  const lastStart = useRef<Record<string, string> | null>(null);
  // Closed: pre-rendered (issue 27), invisible (so unfocusable, out of the accessibility tree) and silent.
  const shown = session.isOpen.value;
  const phase = session.phase.value;
  const arrived = viewsArrived.value;
  const consent = session.consentPending.value;
  useSessionAnnouncements(session, shown ? announce : quiet);
  // Closing, the window leaves with a short motion where motion is allowed (item 15; visitor-extras.tsx);
  // a pre-rendered window that was never shown leaves without one.
  const wasShown = useRef(shown);
  wasShown.current = shown;
  useLayoutEffect(() => () => void (wasShown.current && extrasNow()?.closeMotion(ref.current)), []);

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog || !shown) return;
    // Focus already inside the widget (its launcher) means the visitor is here; otherwise ask
    // how the window opened. Not `fullPage`: a frame of embed.html opened by data-open or
    // restored after a navigation must leave focus on the host page, so the embedding says
    // (through visitorOpened) when a full page is the visitor's.
    const root = dialog.getRootNode() as ShadowRoot | Document;
    const focusIsOurs = root instanceof ShadowRoot && !!root.activeElement;
    if (focusIsOurs || (visitorOpened?.() ?? true)) parked.current = focusFirst(dialog);
    // A view re-rendering on its own (a form becoming its confirmation, a button its result)
    // can remove the focused control; keep the visitor in the window instead of on <body>.
    const watch = new MutationObserver(() => {
      if (hadFocus.current && !root.activeElement) parked.current = focusFirst(dialog);
    });
    watch.observe(dialog, { childList: true, subtree: true });
    return () => watch.disconnect();
  }, [shown]);

  useEffect(() => {
    // Once the vendor has answered, the later views download in the background.
    if (phase !== 'closed') {
      ended.prefetch();
      offline.prefetch();
      prefetchItems();
    }
  }, [phase]);

  useLayoutEffect(() => {
    const dialog = ref.current;
    if (!dialog || !hadFocus.current) return;
    const active = (dialog.getRootNode() as Document | ShadowRoot).activeElement;
    // The view the visitor was in went away (or only the dialog itself held focus while loading,
    // e.g. while a split-off view was still downloading). On a touch screen a view the vendor
    // changed (the agent joined) must not pop the keyboard up: focus stays on the window
    // (issue 25 item 15); the visitor taps the message box when ready.
    const parkedOnLog = active === parked.current && !!active?.matches('[role=log]');
    if (active && active !== dialog && dialog.contains(active) && !parkedOnLog) return;
    // On a touch screen the message box is never focused for the visitor once the chat runs
    // (item 15): focus parked on the log stays there, anything else goes to the window.
    if ((phase === 'waiting' || phase === 'chatting') && matchMedia('(pointer: coarse)').matches) {
      if (!parkedOnLog) dialog.focus();
    } else parked.current = focusFirst(dialog);
  }, [phase, arrived, consent]);

  const root = () => (ref.current?.getRootNode() ?? document) as Document | ShadowRoot;
  const minimise = () => {
    session.close();
    focusLauncher();
  };
  const start = (answers: Record<string, string>) => {
    lastStart.current = answers;
    session.start(answers);
  };
  // The session has no generic "retry": a failed start is retried with the same answers;
  // anything else (a failed connection) by asking the session to (re)connect via open().
  const retry = () => {
    if (lastStart.current && (phase === 'prechat' || phase === 'starting')) session.start(lastStart.current);
    else session.open();
  };

  return (
    <div
      ref={ref}
      role="dialog"
      style={shown ? undefined : HIDDEN}
      aria-modal="false"
      aria-labelledby={titleId}
      tabIndex={-1}
      class={`confab-window${fullPage ? ' confab-full' : ''}`}
      onKeyDown={(e) => {
        if (e.key === 'Escape') {
          e.stopPropagation();
          minimise();
        }
      }}
      onFocusIn={() => (hadFocus.current = true)}
      onFocusOut={(e) => {
        const next = e.relatedTarget as Node | null;
        if (next && !ref.current?.contains(next)) hadFocus.current = false;
        // Focus left for nowhere: a re-render removed the control (then the observer above
        // brings focus back); the control was disabled under the visitor (a form sending: the
        // browser drops its focus) — stay in the window so Escape and Tab keep working; or the
        // visitor clicked outside (the control is still there and usable).
        const from = e.target as HTMLElement;
        if (next) return;
        queueMicrotask(() => {
          if (!from.isConnected) return;
          if ((from as HTMLButtonElement).disabled === true && !root().activeElement) ref.current?.focus();
          else hadFocus.current = false;
        });
      }}
    >
      <Header title={title} titleId={titleId} logo={logo} onMinimise={minimise} />
      {/* Before consent nothing connects: no "Connecting…" line, no connection errors. */}
      {!consent && <StatusBar />}
      {!consent && <ErrorBanner onRetry={retry} />}
      <div class="confab-body-area">
        {consent ? <ConsentView text={consentText} privacyUrl={privacyUrl} focusLauncher={focusLauncher} /> : <Body phase={phase} onStart={start} />}
      </div>
    </div>
  );
}
