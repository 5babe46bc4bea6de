/**
 * Whether the chat that ended can still take its post-chat survey and transcript request
 * (issue 25 item 3). Those go to the chat the transport holds. A transport created for a chat
 * that existed before it (restored after a reload or a page change) holds that chat only if it
 * can resume it; otherwise (WhosOn: the survey needs the ChatUid of the chat it accepted, gone
 * with the old page) the request can never be sent, so no view should offer it. A chat the
 * transport accepts itself is always held.
 */
import { signal, type ReadonlySignal } from '@preact/signals-core';
import type { Capability } from './contract';

export interface AfterChatReach {
  readonly possible: ReadonlySignal<boolean>;
  /** A transport was created; `hadChat`: a chat (live or ended) was there before it. */
  transport(capabilities: ReadonlySet<Capability>, hadChat: boolean): void;
  /** The transport confirmed a chat of its own (accepted). */
  accepted(): void;
}

export function afterChatReach(): AfterChatReach {
  const possible = signal(true);
  return {
    possible,
    transport: (caps, hadChat) => void (possible.value = !hadChat || caps.has('resume')),
    accepted: () => void (possible.value = true),
  };
}
