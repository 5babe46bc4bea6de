/**
 * The guest end of the iframe bridge (data-mode="iframe"), inside embed.html: a lazy chunk of
 * the app, loaded only there (moved out of app.ts).
 */
import { effect } from '@preact/signals-core';
import type { Session } from '../core/session-api';
import type { AppHandle, FrameMessage, LoaderHost } from './app-api';
import { verifiedParentOrigin } from './frame-origin';
import { previewLine } from './preview-line';

/**
 * Inside embed.html opened by data-mode="iframe" (`?frame=1&origin=…`): the guest end of the
 * bridge. It answers only its parent window, from the origin the host announced and the
 * browser confirms.
 */
export function frameGuest(host: LoaderHost) {
  const params = new URLSearchParams(location.search);
  if (!host.fullPage || params.get('frame') !== '1' || window.parent === window) return null;
  // The URL's origin counts only when the browser's record of the embedder agrees (frame-origin.ts).
  const origin = verifiedParentOrigin(params.get('origin'), location.ancestorOrigins, document.referrer);
  if (!origin) {
    console.error('Confab: this chat frame is not embedded by the origin it was given; the bridge stays closed.');
    return null;
  }
  let handle: AppHandle | null = null;
  let stopPreview = () => undefined as void;
  let hostOpens: (byVisitor: boolean, message?: unknown) => void = () => undefined;
  const onMessage = (event: MessageEvent) => {
    if (event.source !== window.parent || event.origin !== origin || !handle) return;
    const data = event.data as FrameMessage | null;
    if (data?.confab !== 'call' || typeof data.method !== 'string' || !Array.isArray(data.args)) return;
    // The host's open carries whether the visitor asked: this frame's own user activation
    // never sees the host page's clicks. (Not the public `open`, whose arguments are the page's.)
    if (data.method === 'open') hostOpens(data.args[0] === true, data.args[1]);
    else handle.call(data.method, data.args);
  };
  const post = (message: FrameMessage) => window.parent.postMessage(message, origin);
  return {
    post,
    start(h: AppHandle, open: (byVisitor: boolean, message?: unknown) => void, session: Session) {
      handle = h;
      hostOpens = open;
      addEventListener('message', onMessage);
      post({ confab: 'ready' });
      // The host page paints the launcher, so it paints the preview card too: it gets the line
      // to show (text only), and '' when there is none to show (not before a first line).
      let last = '{"confab":"preview","who":"","text":""}';
      stopPreview = effect(() => {
        const { who, text, shown } = previewLine(session);
        const message: FrameMessage = { confab: 'preview', who: shown ? who : '', text: shown ? text : '' };
        const key = JSON.stringify(message);
        if (key !== last) post(message);
        last = key;
      });
    },
    stop: () => {
      stopPreview();
      removeEventListener('message', onMessage);
    },
  };
}
