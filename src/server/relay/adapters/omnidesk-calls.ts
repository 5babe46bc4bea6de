/**
 * The calls one Omnidesk chat makes (./omnidesk-api.ts carries them): each with the fields the
 * specification asks for, this chat's ids and the account's token, and its own failure policy
 * (a typing signal is tried once, an end is retried in the background, a ticket never twice).
 */
import type { AdapterContext, RelayFile } from '../adapter';
import { OmnideskApi, type Fields, type OmnideskApiConfig } from './omnidesk-api';
import { saysNoAgents } from './omnidesk-words';

/** The document: "use "8" for live chat". */
export const LIVE_CHAT_CHANNEL = 8;

export interface OmnideskConfig extends OmnideskApiConfig {
  /** requestChatConfig's second token; optional (some accounts only have the account token). */
  chatServerToken?: string;
  /** Sent as the `apiKey` header; needs API_CHAT (and MESSAGE_CREATE for chatbot logs). */
  apiKey?: string;
  /** e.g. https://account.omnidesk.com/api/v2 */
  apiBase: string;
  /** e.g. https://chat.omnidesk.io/requestChatConfig */
  configUrl: string;
  /** `brandID` for chatbot logs (settings > brands). */
  brandId?: string;
}

export type ChatEvent = 'startedtyping' | 'stoppedtyping' | 'expandedchat' | 'minimizedchat';

export class OmnideskChatCalls {
  constructor(
    private readonly cfg: OmnideskConfig,
    private readonly api: OmnideskApi,
    private readonly ctx: AdapterContext,
    private readonly chatSessionID: string,
  ) {}

  notify(messageNumber: number, message: string): Promise<unknown> {
    return this.api.post('/chat/notifyUserNewChatMessage', {
      messageNumber,
      url: this.ctx.page.url,
      message,
      channelID: LIVE_CHAT_CHANNEL,
      chatAccountToken: this.cfg.chatAccountToken,
      chatSessionID: this.chatSessionID,
      chatServer: this.ctx.hookpointBase,
    });
  }

  /** The guide names the id `sessionID` here, the other calls `chatSessionID`: both are sent. */
  addAttachment(file: RelayFile): Promise<unknown> {
    return this.api.post(
      '/chat/addAttachment',
      { chatServer: this.ctx.hookpointBase, chatAccountToken: this.cfg.chatAccountToken, sessionID: this.chatSessionID, chatSessionID: this.chatSessionID },
      file,
    );
  }

  async event(event: ChatEvent): Promise<void> {
    // A late typing signal is worse than none: one attempt, failures only logged.
    await this.api
      .post(
        '/chat/notifyUserNewChatEvent',
        { chatServer: this.ctx.hookpointBase, chatSessionID: this.chatSessionID, event, chatAccountToken: this.cfg.chatAccountToken },
        undefined,
        { ...this.api.retry, attempts: 1 },
      )
      .catch((err: unknown) => this.ctx.log(`${event} failed: ${String(err)}`));
  }

  /** Not awaited: the chat has already ended for the visitor (see OmnideskApi.endChat). */
  endChat(): void {
    void this.api.endChat(
      { chatSessionID: this.chatSessionID, chatServer: this.ctx.hookpointBase, chatAccountToken: this.cfg.chatAccountToken },
      this.ctx.log,
    );
  }

  chatbotLog(from: string, subject: string, message: string): Promise<unknown> {
    const body: Fields = { from, subject, message, chatAccountToken: this.cfg.chatAccountToken, brandID: this.cfg.brandId };
    // Each call creates a ticket: never repeated after it may have arrived.
    return this.api.post('/message/chatbot', body);
  }

  /** true/false: agents are there or not; undefined: unknown (the call failed). */
  async agentsAvailable(): Promise<boolean | undefined> {
    try {
      const answer = await this.api.requestChatConfig(this.ctx.hookpointBase, this.ctx.log);
      return !saysNoAgents(answer);
    } catch (err) {
      // Unknown is not "nobody": let the visitor try; a failed start is reported then.
      this.ctx.log(`requestChatConfig failed: ${String(err)}`);
      return undefined;
    }
  }
}
