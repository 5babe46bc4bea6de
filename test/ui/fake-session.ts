/**
 * A Session built from real signals plus recorded action calls: component tests drive
 * the UI through its public surface without depending on the core's state machine.
 */
import { signal, type Signal } from '@preact/signals-core';
import type { Agent, Capability, ChatConfig, ConnectionState, EndedBy, RatingPolicy, SurveyField, VisitorInfo } from '../../src/core/contract';
import type {
  OfflineState,
  Phase,
  RequestState,
  Session,
  SessionActions,
  SessionError,
  TranscriptItem,
  WaitState,
} from '../../src/core/session-api';

export interface FakeState {
  phase: Signal<Phase>;
  connection: Signal<ConnectionState>;
  reconnectAttempt: Signal<number>;
  config: Signal<ChatConfig | null>;
  capabilities: Signal<ReadonlySet<Capability>>;
  transcript: Signal<readonly TranscriptItem[]>;
  agent: Signal<Agent | null>;
  agentTyping: Signal<boolean>;
  wait: Signal<WaitState>;
  offline: Signal<OfflineState | null>;
  error: Signal<SessionError | null>;
  ratingPolicy: Signal<RatingPolicy | null>;
  fileRequest: Signal<string[] | null>;
  logoUrl: Signal<string | null>;
  unread: Signal<number>;
  isOpen: Signal<boolean>;
  visitor: Signal<VisitorInfo>;
  endedBy: Signal<EndedBy | null>;
  postchat: Signal<RequestState>;
  transcriptRequest: Signal<RequestState>;
  leaveMessageRequest: Signal<RequestState>;
  afterChatPossible: Signal<boolean>;
  prechatFields: Signal<readonly SurveyField[]>;
  maxMessageLength: Signal<number>;
  consentPending: Signal<boolean>;
  draft: Signal<string>;
}

export interface Call {
  name: keyof SessionActions;
  args: unknown[];
}

export function baseConfig(over: Partial<ChatConfig> = {}): ChatConfig {
  return { prechat: [], postchat: [], allowedFileTypes: [], leaveMessage: false, previewAllowed: false, ...over };
}

export function fakeSession(init: Partial<{ [K in keyof FakeState]: FakeState[K] extends Signal<infer V> ? V : never }> = {}) {
  const state: FakeState = {
    phase: signal<Phase>(init.phase ?? 'chatting'),
    connection: signal<ConnectionState>(init.connection ?? 'open'),
    reconnectAttempt: signal(init.reconnectAttempt ?? 0),
    config: signal<ChatConfig | null>(init.config === undefined ? baseConfig() : init.config),
    capabilities: signal<ReadonlySet<Capability>>(init.capabilities ?? new Set()),
    transcript: signal<readonly TranscriptItem[]>(init.transcript ?? []),
    agent: signal<Agent | null>(init.agent ?? null),
    agentTyping: signal(init.agentTyping ?? false),
    wait: signal<WaitState>(init.wait ?? {}),
    offline: signal<OfflineState | null>(init.offline ?? null),
    error: signal<SessionError | null>(init.error ?? null),
    ratingPolicy: signal<RatingPolicy | null>(init.ratingPolicy ?? null),
    fileRequest: signal<string[] | null>(init.fileRequest ?? null),
    logoUrl: signal<string | null>(init.logoUrl ?? null),
    unread: signal(init.unread ?? 0),
    isOpen: signal(init.isOpen ?? true),
    visitor: signal<VisitorInfo>(init.visitor ?? {}),
    endedBy: signal<EndedBy | null>(init.endedBy ?? null),
    postchat: signal<RequestState>(init.postchat ?? 'idle'),
    transcriptRequest: signal<RequestState>(init.transcriptRequest ?? 'idle'),
    leaveMessageRequest: signal<RequestState>(init.leaveMessageRequest ?? 'idle'),
    afterChatPossible: signal(init.afterChatPossible ?? true),
    prechatFields: signal<readonly SurveyField[]>(init.prechatFields ?? []),
    maxMessageLength: signal(init.maxMessageLength ?? 2000),
    consentPending: signal(init.consentPending ?? false),
    draft: signal(init.draft ?? ''),
  };
  const calls: Call[] = [];
  let ids = 0;
  const record =
    <R>(name: keyof SessionActions, result: () => R) =>
    (...args: unknown[]): R => {
      calls.push({ name, args });
      return result();
    };
  const nextId = () => `c${++ids}`;
  const actions: SessionActions = {
    open: record('open', () => void (state.isOpen.value = true)),
    close: record('close', () => void (state.isOpen.value = false)),
    start: record('start', () => undefined),
    reset: record('reset', () => undefined),
    send: record('send', nextId),
    sendCard: record('sendCard', nextId),
    retry: record('retry', () => undefined),
    sendFile: record('sendFile', nextId),
    composing: record('composing', () => undefined),
    choose: record('choose', () => undefined),
    submitForm: record('submitForm', () => undefined),
    rate: record('rate', () => undefined),
    askRating: record('askRating', () => undefined),
    cancelWaiting: record('cancelWaiting', () => undefined),
    end: record('end', () => undefined),
    submitPostchat: record('submitPostchat', () => undefined),
    requestTranscript: record('requestTranscript', () => undefined),
    leaveMessage: record('leaveMessage', () => undefined),
    newChat: record('newChat', () => undefined),
    consent: record('consent', () => undefined),
    identify: record('identify', () => undefined),
    on: () => () => undefined,
    destroy: record('destroy', () => undefined),
  };
  const session = { ...state, ...actions } as unknown as Session;
  /** Calls of one action, as their argument lists. */
  const callsOf = (name: keyof SessionActions) => calls.filter((c) => c.name === name).map((c) => c.args);
  return { session, state, calls, callsOf };
}
