/**
 * Omnidesk's REST API as the relay calls it, after its OpenAPI specification (O1, O2 in
 * shared/notes/vendors-in-the-field.md) where it is stricter than the chatbot-integration guide
 * (vendor-docs/omnidesk-chat-api.txt). One instance per adapter factory: what it learns (which
 * end path works, whether the guide's config GET exists, the latest availability) serves every
 * session of the account.
 *
 * - Bodies are `multipart/form-data` (O1); the guide's "Path Parameters" fit that reading too.
 * - `OMNIDESK_API_KEY`, when set, goes as the `apiKey` header on every call (O1/O2: scheme
 *   `apikeyAuth`; Chat endpoints need API_CHAT, `message/chatbot` MESSAGE_CREATE).
 * - Success is the documented body `{"type":"result",…}` (O3); any other answer is a failure,
 *   logged with Omnidesk's own words.
 * - Nothing is sent again after it may have reached Omnidesk (a timeout, a reset after the
 *   write, any HTTP answer): neither document promises that a repeated `messageNumber` is
 *   dropped. Only failures before the request left (refused, DNS) are retried at once.
 * - `notifyUserEndChat`: the specification lists it under `/chat/`, the guide under
 *   `/message/`. The Chat path first, the guide's on 404, and the one that answered is kept.
 *   A failed end is retried in the background (ending twice is harmless), never awaited by the
 *   visitor.
 * - `requestChatConfig`: the guide's GET; when that is not there (404/405/410/501), the
 *   specification's POST under `/chat/`. Cached for a short while (a failure for less) and
 *   shared by concurrent askers: one upstream call serves every visitor opening the widget then.
 */
import { callWithRetry, DEFAULT_RETRY, UpstreamError, type RetryPolicy } from '../upstream';

/** O1: `chatServer` pattern (min length 5). */
export const CHAT_SERVER_PATTERN = /^[a-zA-Z0-9.:/-]+$/;
/** O1: `chatAccountToken` pattern. */
export const CHAT_ACCOUNT_TOKEN_PATTERN = /^[a-zA-Z0-9]+$/;
/** Our `chatSessionID`s and hook tokens (O1 gives no pattern for chatSessionID): `[A-Za-z0-9-]`. */
export const CHAT_SESSION_ID_PATTERN = /^[A-Za-z0-9-]+$/;
/** An API key goes in a header: visible ASCII only (no spaces, no line breaks). */
const API_KEY_PATTERN = /^[\x21-\x7e]{1,512}$/;

export interface OmnideskApiConfig {
  chatAccountToken: string;
  chatServerToken?: string;
  apiKey?: string;
  apiBase: string;
  configUrl: string;
  fetch?: typeof fetch;
  retry?: RetryPolicy;
  /** How long a requestChatConfig answer serves (default 15 s). */
  configCacheMs?: number;
  /** Waits before each background retry of a failed end (default 2 s, 10 s, 1 min, 5 min). */
  endRetryDelaysMs?: readonly number[];
  /** Injected clock for the config cache. */
  now?: () => number;
  /** Injected timer for the background end retries (default: an unref'd setTimeout). */
  schedule?: (run: () => void, ms: number) => void;
}

export const DEFAULT_CONFIG_CACHE_MS = 15_000;
/** How long a failed requestChatConfig is answered from memory (at most the cache period). */
const FAILURE_CACHE_MS = 5_000;
export const DEFAULT_END_RETRY_DELAYS_MS: readonly number[] = [2_000, 10_000, 60_000, 300_000];

/** What is wrong with a configuration, in words an operator can act on (empty: nothing). */
export function apiConfigProblems(cfg: Pick<OmnideskApiConfig, 'chatAccountToken' | 'apiKey' | 'chatServerToken'>): string[] {
  const problems: string[] = [];
  if (!CHAT_ACCOUNT_TOKEN_PATTERN.test(cfg.chatAccountToken))
    problems.push('the Omnidesk chatAccountToken (OMNIDESK_CHAT_ACCOUNT_TOKEN) must match ^[a-zA-Z0-9]+$ (Omnidesk API specification)');
  if (cfg.apiKey !== undefined && !API_KEY_PATTERN.test(cfg.apiKey))
    problems.push('the Omnidesk API key (OMNIDESK_API_KEY) must be 1–512 visible ASCII characters (it is sent as the apiKey header)');
  if (cfg.chatServerToken !== undefined && !API_KEY_PATTERN.test(cfg.chatServerToken))
    problems.push('the Omnidesk chatServerToken (OMNIDESK_CHAT_SERVER_TOKEN) must be visible ASCII characters without spaces');
  return problems;
}

/** Why Omnidesk would refuse this `chatServer`, or null. */
export function chatServerProblem(chatServer: string): string | null {
  if (chatServer.length >= 5 && CHAT_SERVER_PATTERN.test(chatServer)) return null;
  return `chatServer ${JSON.stringify(chatServer)} does not match Omnidesk's pattern ^[a-zA-Z0-9.:/-]+$ (min 5): the public URL and RELAY_HOOK_SECRET may use only letters, digits, "-", ".", ":" and "/"`;
}

export type Fields = Record<string, string | number | undefined>;

/** Omnidesk answered, but not with a `result`: its own words are in the message. */
export class OmnideskRefusal extends UpstreamError {}

function vendorWords(text: string): string {
  const trimmed = text.replace(/\s+/g, ' ').trim();
  return trimmed.length > 300 ? `${trimmed.slice(0, 300)}…` : trimmed;
}

const words = (err: unknown) => (err instanceof Error ? err.message : String(err));

export class OmnideskApi {
  private readonly fetchImpl: typeof fetch;
  private readonly now: () => number;
  /** Which notifyUserEndChat path answered last (O1's `/chat/` until it 404s). */
  private endPath: '/chat/notifyUserEndChat' | '/message/notifyUserEndChat' = '/chat/notifyUserEndChat';
  /** Whether the guide's GET requestChatConfig exists (until it answers 404/405/410/501). */
  private configByGet = true;
  private config: { at: number; answer: unknown } | null = null;
  /** A failed requestChatConfig, remembered briefly so an outage does not cost a call per visitor. */
  private configFailure: { at: number; error: unknown } | null = null;
  private configInFlight: Promise<unknown> | null = null;
  private readonly schedule: (run: () => void, ms: number) => void;

  constructor(private readonly cfg: OmnideskApiConfig) {
    const problems = apiConfigProblems(cfg);
    if (problems.length) throw new Error(problems.join('\n'));
    this.fetchImpl = cfg.fetch ?? fetch;
    this.now = cfg.now ?? Date.now;
    // Unref'd: a retry still waiting never keeps a stopping relay alive (its failure is in the log).
    this.schedule = cfg.schedule ?? ((run, ms) => void setTimeout(run, ms).unref());
  }

  get retry(): RetryPolicy {
    return this.cfg.retry ?? DEFAULT_RETRY;
  }

  private headers(): Record<string, string> {
    return this.cfg.apiKey ? { apiKey: this.cfg.apiKey } : {};
  }

  /**
   * The HTTP call with the policy above. The response body is read by `callWithRetry`; a copy
   * is kept here so a refusal is logged in Omnidesk's words.
   */
  private async call(url: string, init: () => RequestInit, retry: RetryPolicy, idempotent: boolean): Promise<{ answer: unknown; text: string }> {
    let text = '';
    const recording: typeof fetch = async (input, i) => {
      const res = await this.fetchImpl(input, i);
      text = await res.clone().text().catch(() => '');
      return res;
    };
    try {
      const answer = await callWithRetry(recording, url, init, retry, { idempotent });
      return { answer, text };
    } catch (err) {
      if (err instanceof UpstreamError && err.status > 0 && text)
        throw new UpstreamError(`${err.message}: ${vendorWords(text)}`, err.status, err.mayHaveArrived);
      throw err;
    }
  }

  /** A form POST that must be answered with `{"type":"result"}`. Sent once (see the header). */
  async post(path: string, fields: Fields, file?: { name: string; mime: string; bytes: Uint8Array }, retry = this.retry): Promise<Record<string, unknown>> {
    const { answer, text } = await this.call(
      `${this.cfg.apiBase}${path}`,
      () => {
        const form = new FormData();
        for (const [k, v] of Object.entries(fields)) if (v !== undefined) form.set(k, String(v));
        if (file) form.set('file', new Blob([file.bytes.slice()], { type: file.mime }), file.name);
        return { method: 'POST', headers: this.headers(), body: form };
      },
      retry,
      false,
    );
    const body = answer && typeof answer === 'object' ? (answer as Record<string, unknown>) : {};
    if (body.type !== 'result') {
      const words = typeof body.message === 'string' ? `${String(body.type ?? 'no type')}: ${body.message}` : vendorWords(text) || 'an empty body';
      throw new OmnideskRefusal(`Omnidesk did not confirm ${path} (${words})`, 200);
    }
    return body;
  }

  /**
   * Tell Omnidesk the chat ended. Callers do not wait for it: the promise settles (true: told;
   * false: given up, logged) after any background retries, which only log.
   */
  endChat(fields: Fields, log: (m: string) => void, attempt = 0): Promise<boolean> {
    return this.endOnce(fields, log).then(
      () => true,
      (err: unknown) => {
        const delays = this.cfg.endRetryDelaysMs ?? DEFAULT_END_RETRY_DELAYS_MS;
        const transient = err instanceof UpstreamError && !(err instanceof OmnideskRefusal) && (err.status === 0 || err.status === 408 || err.status === 429 || err.status >= 500);
        if (!transient || attempt >= delays.length) {
          log(`notifyUserEndChat failed for good: ${words(err)}`);
          return false;
        }
        log(`notifyUserEndChat failed (${words(err)}); trying again in ${delays[attempt]} ms`);
        return new Promise<boolean>((resolve) => this.schedule(() => resolve(this.endChat(fields, log, attempt + 1)), delays[attempt]!));
      },
    );
  }

  private async endOnce(fields: Fields, log: (m: string) => void): Promise<void> {
    const first = this.endPath;
    try {
      await this.post(first, fields);
    } catch (err) {
      if (!(err instanceof UpstreamError) || err.status !== 404) throw err;
      // The other document's path; whichever answers is the one used from now on.
      const other = first === '/chat/notifyUserEndChat' ? '/message/notifyUserEndChat' : '/chat/notifyUserEndChat';
      await this.post(other, fields);
      this.endPath = other;
      log(`notifyUserEndChat answers at ${other}; using that path from now on`);
    }
  }

  /** requestChatConfig's answer, from the cache when it is recent. Throws when both ways fail. */
  requestChatConfig(chatServer: string, log: (m: string) => void): Promise<unknown> {
    const ttl = this.cfg.configCacheMs ?? DEFAULT_CONFIG_CACHE_MS;
    if (this.config && this.now() - this.config.at < ttl) return Promise.resolve(this.config.answer);
    if (this.configFailure && this.now() - this.configFailure.at < Math.min(ttl, FAILURE_CACHE_MS)) return Promise.reject(this.configFailure.error);
    if (!this.configInFlight) {
      this.configInFlight = this.fetchConfig(chatServer, log)
        .then(
          (answer) => {
            this.config = { at: this.now(), answer };
            this.configFailure = null;
            return answer;
          },
          (error: unknown) => {
            this.configFailure = { at: this.now(), error };
            throw error;
          },
        )
        .finally(() => (this.configInFlight = null));
    }
    return this.configInFlight;
  }

  private async fetchConfig(chatServer: string, log: (m: string) => void): Promise<unknown> {
    if (this.configByGet) {
      const q = new URLSearchParams({ chatAccountToken: this.cfg.chatAccountToken });
      if (this.cfg.chatServerToken) q.set('chatServerToken', this.cfg.chatServerToken);
      try {
        const { answer } = await this.call(`${this.cfg.configUrl}?${q}`, () => ({ method: 'GET', headers: this.headers() }), this.retry, true);
        return answer;
      } catch (err) {
        if (!(err instanceof UpstreamError) || ![404, 405, 410, 501].includes(err.status)) throw err;
        this.configByGet = false;
        log(`requestChatConfig GET is not available (${err.message}); using the specification's POST from now on`);
      }
    }
    const { answer } = await this.call(
      `${this.cfg.apiBase}/chat/requestChatConfig`,
      () => {
        const form = new FormData();
        form.set('chatServer', chatServer);
        form.set('chatAccountToken', this.cfg.chatAccountToken);
        return { method: 'POST', headers: this.headers(), body: form };
      },
      this.retry,
      true,
    );
    return answer;
  }
}
