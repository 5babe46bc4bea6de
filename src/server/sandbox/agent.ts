/**
 * The scripted agent every vendor simulator shares. It knows nothing of wire protocols:
 * a simulator implements `AgentHost` for one conversation in its vendor's terms, and the
 * agent drives it (queue, join, typing, replies, end) like a person at a desk would.
 *
 * The script reacts to keywords in the visitor's lines so a demo or a test can steer it:
 *   "bye" / "goodbye"   the agent says goodbye and ends the chat
 *   "file"              the agent asks for a file (where the vendor can)
 *   "order"             the agent asks for an order number (a dynamic field)
 *   "link"              the agent answers with an HTML link
 *   "attach"            the agent sends a file (where the vendor can)
 *   "rate"              the agent sends a satisfaction request (where the vendor can)
 *   anything else       a short, friendly answer quoting the visitor
 * Simulators may add keywords of their own (e.g. Tencent's "human"); they check those first.
 */
import { systemClock, type Clock } from '../clock';

import type { DeskLink } from './desk';

export interface ScriptedAgentIdentity {
  name: string;
  avatar?: string;
  isBot: boolean;
}

/** One conversation, as the simulator exposes it to the agent. Optional parts: vendor can't. */
export interface AgentHost {
  /** Queue position (1 = next); total when known. */
  queue(position: number, total: number): void;
  /** A wait-screen line: the paging message, first/second waiting line, or the final one. */
  waiting(kind: 'paging' | 'waiting1' | 'waiting2' | 'final', text: string): void;
  join(agent: ScriptedAgentIdentity): void;
  typing(on: boolean): void;
  /** An agent line. `html` is the same line with markup, for vendors that carry HTML. */
  say(text: string, html?: string): void;
  requestFile?(types: string[]): void;
  requestField?(field: { name: string; prompt: string; maxLength: number }): void;
  /** `url`: where the file is, for vendors that send a link (else the host serves `bytes`). */
  sendAttachment?(file: { name: string; mime: string; bytes: Uint8Array; url?: string }): void;
  /**
   * Test hook (the XSS suite): put `text` in every other text, HTML and label field this
   * vendor's agent side can send (cards, menus, forms, rating titles, site images...) and
   * `url` in every other URL field. Hosts that carry nothing more leave it out.
   */
  inject?(payload: InjectPayload): void;
  requestRating?(): void;
  /** The agent (or the queue timing out) ends the chat. */
  end(by: 'agent' | 'timeout'): void;
  /**
   * Events only this vendor's agent side has (a branch menu, a form, a card, a robot line...),
   * by name, for the agent console (desk.ts). `timeout` here replaces the generic end by timeout.
   */
  controls?: Record<string, { label: string; run(text?: string): void }>;
}

/** One round of the XSS injector: a hostile string, and a hostile URL for URL fields. */
export interface InjectPayload {
  text: string;
  url: string;
}

export interface ScriptedAgentOptions {
  /** Multiplies every delay: 1 for the demo, small (e.g. 0.05) in tests. */
  delayScale?: number;
  /** Queue positions to count down from before the agent joins (0: no queue). */
  queueFrom?: number;
  identity?: ScriptedAgentIdentity;
  /** Called on start: false makes the simulator refuse the chat (offline journeys). */
  available?: () => boolean;
  /** How long an unanswered chat waits before `final` (ms before scaling); 0 never. */
  pageTimeoutMs?: number;
  /**
   * Test hook (the XSS suite): when set, a visitor line containing "inject" makes the agent
   * push each payload through every field its host carries: a re-join under that name (the
   * avatar gets a URL payload), a line as text and as HTML, a field prompt, an attachment's
   * file name and URL, and whatever else the host's `inject` reaches. Simulators also read
   * it for what they send before any agent speaks (WhosOn: its connected payload's welcome
   * HTML and survey labels and options, the site image, the forwarding URL).
   * A plain list serves text and URL fields alike; `urls` gives URL fields their own list
   * (round i of the injector uses `urls[i % length]`: one no longer than `texts` is sent whole).
   */
  inject?: readonly string[] | { texts: readonly string[]; urls: readonly string[] };
  /** The script's timers (default the real clock); tests pass one they advance (../clock.ts). */
  clock?: Clock;
  /** The sandbox's agent console for this vendor: it sees every chat and can take one over. */
  desk?: DeskLink;
  /** The vendor's id of this chat, as the simulator tags its frames with it (the console's inspector). */
  chat?: string;
}

/** The injector's payloads as text and URL lists (null: no injection), for simulators too. */
export function injectLists(options: ScriptedAgentOptions | undefined): { texts: readonly string[]; urls: readonly string[] } | null {
  const inject = options?.inject;
  if (!inject) return null;
  if (!('texts' in inject)) return inject.length ? { texts: inject, urls: inject } : null;
  if (!inject.texts.length) return null;
  return { texts: inject.texts, urls: inject.urls.length ? inject.urls : inject.texts };
}

export const DEFAULT_AGENT: ScriptedAgentIdentity = { name: 'Alex Morgan', isBot: false };

export const AGENT_LINES = {
  paging: 'Please wait. An operator will be with you shortly.',
  waiting1: 'One moment please...',
  waiting2: 'We apologize for the delay. An operator will be with you shortly.',
  final:
    'No operators are available at this time. Operators may only be available during office hours.',
  offline:
    'No operators are available at this time. Operators may only be available during office hours.',
  greeting: (visitor: string) =>
    `Hello ${visitor || 'there'}, my name is Alex. How can I help you today?`,
  goodbye: 'Thank you for chatting with us. Goodbye!',
  askFile: 'Could you send me a screenshot or a PDF of the problem, please?',
  askOrder: 'Could you give me your order number, please?',
  link: 'Our installation guide is here: https://example.com/guide',
  linkHtml:
    'Our installation guide is <a href="https://example.com/guide">here</a>. <b>Step 3</b> is the important one.',
  attach: 'Here is the invoice you asked for.',
  reply: (text: string) =>
    `Thanks, I understand: "${text.length > 80 ? `${text.slice(0, 77)}...` : text}". Let me check that for you.`,
} as const;

/**
 * The one picture of the sandbox, a 28×28 PNG ring: the demo site's logo (WhosOn GetImage),
 * the file the agent sends on "attach", a card's image. (SVG is not an allowed data: image.)
 */
export const SANDBOX_PNG =
  'iVBORw0KGgoAAAANSUhEUgAAABwAAAAcCAYAAAByDd+UAAAAhElEQVR4nO3UwRGAIBBDUc42Z0XWrg1IyN9dwIOZ4QY8MgO09tXcgyyDymAKpeAshlC1wXGdryOMUsiFEehiCp2GIdTFovNwu1FQS+fUFJQts+3cdT+4D5x+aSIt8eN3Tlz28Ld8bcs/7x5I0F66oEIVrCIxByWxsCoUYRk4DFG4DKrOA6v47Rv0L1cKAAAAAElFTkSuQmCC';

/** The attachment the agent sends on "attach". */
export const AGENT_ATTACHMENT = {
  name: 'invoice.png',
  mime: 'image/png',
  bytes: Uint8Array.from(Buffer.from(SANDBOX_PNG, 'base64')),
};

export class ScriptedAgent {
  private readonly timers = new Set<unknown>();
  private readonly scale: number;
  private readonly clock: Clock;
  private readonly identity: ScriptedAgentIdentity;
  private joined = false;
  private ended = false;
  private readonly host: AgentHost;

  constructor(
    host: AgentHost,
    private readonly options: ScriptedAgentOptions = {},
  ) {
    // With a desk, every step (the script's or a person's) goes through its transcript.
    this.host = options.desk ? options.desk.attach(this, host, options.chat) : host;
    this.scale = options.delayScale ?? 1;
    this.clock = options.clock ?? systemClock;
    this.identity = options.identity ?? DEFAULT_AGENT;
  }

  /** Whether an agent would take a chat now (the simulator answers accepted/notaccepted). */
  isAvailable(): boolean {
    return this.options.available ? this.options.available() : true;
  }

  get hasJoined(): boolean {
    return this.joined;
  }

  /** The visitor asked for a chat and the simulator accepted it. */
  start(visitorName: string): void {
    // A person at the console answers this chat from its start.
    if (this.options.desk?.holds(this)) return;
    this.host.waiting('paging', AGENT_LINES.paging);
    const queueFrom = this.options.queueFrom ?? 2;
    let t = 400;
    for (let pos = queueFrom; pos >= 1; pos--) {
      const position = pos;
      this.after(t, () => this.host.queue(position, Math.max(queueFrom, 1) + 3));
      t += 700;
    }
    this.after(t, () => this.host.waiting('waiting1', AGENT_LINES.waiting1));
    t += 600;
    this.after(t, () => {
      this.joined = true;
      this.host.join(this.identity);
    });
    t += 300;
    this.typeThenSay(t, AGENT_LINES.greeting(visitorName));
    const pageTimeout = this.options.pageTimeoutMs ?? 0;
    if (pageTimeout > 0 && pageTimeout < t) {
      this.after(pageTimeout, () => {
        if (!this.joined) this.host.waiting('final', AGENT_LINES.final);
      });
    }
  }

  /** A visitor line reached the agent. */
  hear(text: string): void {
    // A person at the console holds this chat: the script keeps quiet.
    if (this.options.desk?.heard(this, text)) return;
    if (this.ended || !this.joined) return;
    const lower = text.toLowerCase();
    const inject = injectLists(this.options);
    if (inject && /\binject\b/.test(lower)) {
      this.injectAll(inject.texts, inject.urls);
    } else if (/\b(bye|goodbye)\b/.test(lower)) {
      this.typeThenSay(200, AGENT_LINES.goodbye);
      this.after(1400, () => this.finish('agent'));
    } else if (/\bfile\b/.test(lower) && this.host.requestFile) {
      this.typeThenSay(200, AGENT_LINES.askFile);
      this.after(1200, () => this.host.requestFile?.(['pdf', 'png', 'jpg', 'txt']));
    } else if (/\border\b/.test(lower) && this.host.requestField) {
      this.typeThenSay(200, AGENT_LINES.askOrder);
      this.after(1200, () =>
        this.host.requestField?.({ name: 'OrderNumber', prompt: 'Please enter the order number:', maxLength: 10 }),
      );
    } else if (/\blink\b/.test(lower)) {
      this.typeThenSay(200, AGENT_LINES.link, AGENT_LINES.linkHtml);
    } else if (/\battach\b/.test(lower) && this.host.sendAttachment) {
      this.typeThenSay(200, AGENT_LINES.attach);
      this.after(1300, () => this.host.sendAttachment?.(AGENT_ATTACHMENT));
    } else if (/\brate\b/.test(lower) && this.host.requestRating) {
      this.after(300, () => this.host.requestRating?.());
    } else {
      this.typeThenSay(200, AGENT_LINES.reply(text));
    }
  }

  /** The visitor ended or cancelled: stop everything, say nothing more. */
  visitorLeft(): void {
    this.ended = true;
    this.stop();
  }

  /** End the chat from the agent's side now (used by simulators' own triggers). */
  finish(by: 'agent' | 'timeout'): void {
    if (this.ended) return;
    this.ended = true;
    this.stop();
    this.host.end(by);
  }

  stop(): void {
    for (const t of this.timers) this.clock.clearTimeout(t);
    this.timers.clear();
  }

  private injectAll(payloads: readonly string[], urls: readonly string[]): void {
    payloads.forEach((p, i) =>
      this.after(10 * i, () => {
        const url = urls[i % urls.length] ?? p;
        this.host.join({ name: p, avatar: url, isBot: false });
        this.host.say(p, p);
        this.host.requestField?.({ name: 'Injected', prompt: p, maxLength: 40 });
        this.host.sendAttachment?.({ ...AGENT_ATTACHMENT, name: p, url });
        this.host.inject?.({ text: p, url });
      }),
    );
  }

  private typeThenSay(delay: number, text: string, html?: string): void {
    this.after(delay, () => this.host.typing(true));
    this.after(delay + 900, () => {
      this.host.typing(false);
      this.host.say(text, html);
    });
  }

  private after(ms: number, fn: () => void): void {
    const handle = this.clock.setTimeout(() => {
      this.timers.delete(handle);
      if (!this.ended || fn === this.stop) fn();
    }, Math.max(0, Math.round(ms * this.scale)));
    this.timers.add(handle);
  }
}
