/**
 * Omnidesk's hookpoints (vendor-docs/omnidesk-chat-api.txt): what the agent's side POSTs to
 * `{{ chatServer }}/<route>`, each handed to the chat it names (found by its chatSessionID).
 */
import type { HookpointBody, HookpointReply, HookpointRoute, RelayAdapter, RelayFile } from '../adapter';
import { field } from '../http-body';
import { str } from './omnidesk-words';

/** What a hookpoint can do to a chat (OmnideskSession). */
export interface OmnideskAgentSide {
  agentMessage(name: string, picture: string, message: string): void;
  agentTyping(on: boolean): void;
  agentFile(file: RelayFile): void;
  agentEnded(): void;
}

const ok: HookpointReply = { status: 200, body: { success: true } };

async function withSession<S extends OmnideskAgentSide & RelayAdapter>(
  body: HookpointBody,
  find: (key: string) => Promise<S | undefined>,
  fn: (s: S) => HookpointReply | void,
): Promise<HookpointReply> {
  // `sessionID` / `SessionID` in the guide's hookpoints; `chatSessionID` is what we sent Omnidesk.
  const id = field(body, 'sessionID') ?? field(body, 'chatSessionID');
  if (typeof id !== 'string' || !id) return { status: 400, body: { success: false, error: 'sessionID missing' } };
  const session = await find(id);
  if (!session) return { status: 404, body: { success: false, error: 'unknown session' } };
  return fn(session) ?? ok;
}

/** "true"/"1"/true → true; the document only says `Typing: boolean`, and forms carry strings. */
function truthy(v: unknown): boolean {
  return v === true || v === 1 || (typeof v === 'string' && /^(true|1|yes|on)$/i.test(v.trim()));
}

export function omnideskRoutes<S extends OmnideskAgentSide & RelayAdapter>(): HookpointRoute<S>[] {
  return [
    {
      path: 'messageForCustomer',
      handle: async (body, find) =>
        withSession(body, find, (s) => {
          const message = field(body, 'message');
          if (typeof message !== 'string' || !message) return { status: 400, body: { success: false, error: 'message missing' } };
          s.agentMessage(str(field(body, 'name'), 200), str(field(body, 'picture'), 4000), message.slice(0, 20_000));
        }),
    },
    {
      path: 'typingIndicatorForCustomer',
      handle: async (body, find) => withSession(body, find, (s) => s.agentTyping(truthy(field(body, 'Typing')))),
    },
    {
      path: 'uploadForCustomer',
      handle: async (body, find) =>
        withSession(body, find, (s) => {
          const file = body.files[0];
          if (!file) return { status: 400, body: { success: false, error: 'file missing' } };
          s.agentFile(file);
        }),
    },
    {
      path: 'endSession',
      handle: async (body, find) => withSession(body, find, (s) => s.agentEnded()),
    },
  ];
}
