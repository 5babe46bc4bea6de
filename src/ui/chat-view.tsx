/**
 * The conversation — wait screen, transcript, agent typing line and composer — split from
 * the app chunk (see lazy-view.tsx): the window opens on the pre-chat form and this
 * downloads meanwhile. The after-chat view takes the composer's place below the same log. Its CSS
 * travels with it and joins the shadow root after the window's own sheet.
 */
import type { ComponentChildren } from 'preact';
import css from './chat.css?inline';
import { Composer } from './composer';
import { useUi } from './context';
import { MessageList } from './message-list';
import { TypingIndicator } from './typing-indicator';
import { WaitScreen } from './wait-screen';

function Styles() {
  useUi().addStyles?.(css);
  return null;
}

/** `children`: what replaces the typing line and composer after the chat (the ended view). */
export function ChatView({ waiting, children }: { waiting: boolean; children?: ComponentChildren }) {
  return (
    <>
      <Styles />
      {waiting && <WaitScreen />}
      <MessageList />
      {children ?? (
        <>
          <TypingIndicator />
          <Composer />
        </>
      )}
    </>
  );
}
