/**
 * Test doubles for the session core: a manual clock, an in-memory transport that records
 * the commands it receives and lets a test emit vendor-neutral events, and storage.
 */
import { stamp } from '../../src/core/contract';
import type {
  Capability,
  ChatConfig,
  Clock,
  Command,
  ConfabEventBody,
  EventSink,
  Transport,
  TransportOptions,
} from '../../src/core/contract';
import { createSession, type SessionDeps } from '../../src/core/session';
import type { Session } from '../../src/core/session-api';

export class FakeClock implements Clock {
  private t = 1_700_000_000_000;
  private seq = 0;
  private timers = new Map<number, { at: number; fn: () => void }>();
  now(): number {
    return this.t;
  }
  setTimeout(fn: () => void, ms: number): unknown {
    const id = ++this.seq;
    this.timers.set(id, { at: this.t + Math.max(0, ms), fn });
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.timers.delete(handle as number);
  }
  /** Moves time forward, running every timer that falls due, in order. */
  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      let next: [number, { at: number; fn: () => void }] | undefined;
      for (const entry of this.timers) {
        if (entry[1].at <= end && (!next || entry[1].at < next[1].at)) next = entry;
      }
      if (!next) break;
      this.timers.delete(next[0]);
      this.t = next[1].at;
      next[1].fn();
    }
    this.t = end;
  }
  get pending(): number {
    return this.timers.size;
  }
}

export class FakeTransport implements Transport {
  readonly commands: Command[] = [];
  sink: EventSink | null = null;
  closed = false;
  constructor(
    readonly capabilities: ReadonlySet<Capability>,
    readonly options: TransportOptions,
    private readonly clock: Clock,
  ) {}
  connect(sink: EventSink): void {
    this.sink = sink;
  }
  send(command: Command): void {
    this.commands.push(command);
  }
  close(): void {
    this.closed = true;
  }
  emit(body: ConfabEventBody): void {
    if (!this.sink) throw new Error('not connected');
    this.sink(stamp(body, this.clock));
  }
  sent<T extends Command['type']>(type: T): Extract<Command, { type: T }>[] {
    return this.commands.filter((c): c is Extract<Command, { type: T }> => c.type === type);
  }
}

export class MemoryStorage {
  readonly data = new Map<string, string>();
  getItem(key: string): string | null {
    return this.data.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    this.data.set(key, String(value));
  }
  removeItem(key: string): void {
    this.data.delete(key);
  }
}

export const ALL_CAPABILITIES: Capability[] = [
  'prechat',
  'postchat',
  'transcript-email',
  'transcript-pdf',
  'leave-message',
  'file',
  'typing',
  'preview',
  'cancel',
  'end',
  'rating',
  'ask-rating',
  'card',
  'resume',
];

export function chatConfig(overrides: Partial<ChatConfig> = {}): ChatConfig {
  return {
    welcomeHtml: '<p>Welcome!</p>',
    prechat: [{ name: 'VisitorName', type: 'name', label: 'Your name', required: true }],
    postchat: [],
    allowedFileTypes: ['pdf', 'png'],
    leaveMessage: true,
    previewAllowed: true,
    ...overrides,
  };
}

/** Lets pending promise callbacks (the lazy transport import) and microtasks run. */
export const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export interface Harness {
  session: Session;
  clock: FakeClock;
  storage: MemoryStorage;
  transports: FakeTransport[];
  /** The newest transport. */
  readonly transport: FakeTransport;
  loads: number;
}

export interface HarnessOptions {
  capabilities?: Capability[];
  storage?: SessionDeps['storage'];
  durableStorage?: SessionDeps['durableStorage'];
  clock?: FakeClock;
  sendTimeoutMs?: number;
  storageKey?: string;
  consentRequired?: boolean;
}

export function harness(opts: HarnessOptions = {}): Harness {
  const clock = opts.clock ?? new FakeClock();
  const storage = new MemoryStorage();
  const transports: FakeTransport[] = [];
  const caps = new Set(opts.capabilities ?? ALL_CAPABILITIES);
  const h = {
    clock,
    storage,
    transports,
    loads: 0,
    get transport(): FakeTransport {
      const last = transports[transports.length - 1];
      if (!last) throw new Error('no transport created yet');
      return last;
    },
  } as Harness;
  h.session = createSession({
    loadTransport: () => {
      h.loads += 1;
      return Promise.resolve((options: TransportOptions) => {
        const tr = new FakeTransport(caps, options, clock);
        transports.push(tr);
        return tr;
      });
    },
    transportOptions: {
      options: { server: 'wss://example.test' },
      locale: 'en',
      pageUrl: 'https://shop.example/',
      referrer: '',
      userAgent: 'test',
    },
    storage: opts.storage === undefined ? storage : opts.storage,
    durableStorage: opts.durableStorage,
    storageKey: opts.storageKey ?? 'confab:test',
    clock,
    sendTimeoutMs: opts.sendTimeoutMs,
    consentRequired: opts.consentRequired,
  });
  return h;
}

/** Opens the window, lets the transport load and connect, and delivers `open` + config. */
export async function connected(h: Harness, config: ChatConfig = chatConfig()): Promise<void> {
  h.session.open();
  await settle();
  h.transport.emit({ type: 'connection', state: 'open' });
  h.transport.emit({ type: 'config', config });
}

/** From a fresh harness to a chat with Alex Morgan. */
export async function chatting(h: Harness, config?: ChatConfig): Promise<void> {
  await connected(h, config);
  h.session.start({ VisitorName: 'Sam' });
  h.transport.emit({ type: 'accepted' });
  h.transport.emit({ type: 'agent', action: 'joined', agent: { name: 'Alex Morgan', isBot: false } });
}

export function lines(session: Session): string[] {
  return session.transcript.value.map((item) =>
    item.kind === 'message'
      ? `${item.sender}:${item.text ?? ''}${item.status ? ` [${item.status}]` : ''}`
      : item.kind === 'notice'
        ? `notice:${item.text}`
        : `${item.kind}:${item.id}`,
  );
}
