/**
 * The conversation — wait screen, transcript, agent typing line and composer — split from
 * the app chunk (see lazy-view.tsx): the window opens on the pre-chat form and this
 * downloads meanwhile. The after-chat view shows the same transcript above it. Its CSS
 * travels with it and joins the shadow root after the window's own sheet.
 */
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

export function Transcript() {
  return (
    <>
      <Styles />
      <MessageList />
    </>
  );
}

export function ChatView({ waiting }: { waiting: boolean }) {
  return (
    <>
      <Styles />
      {waiting && <WaitScreen />}
      <MessageList />
      <TypingIndicator />
      <Composer />
    </>
  );
}
