/** What every vendor simulator in the sandbox looks like from the outside. */
import type { ScriptedAgentOptions } from './agent';

/** One thing a simulator received from the widget (a frame, an event, a request). */
export interface ReceivedFrame {
  /** ms since epoch */
  at: number;
  /** Where it came in: e.g. 'ws', 'socket.io', 'http', 'hookpoint'. */
  channel: string;
  /** Command / event / route name, e.g. 'Hello', 'joinConversation', 'POST /api/customer/init'. */
  name: string;
  /** The parsed payload exactly as received. */
  payload: unknown;
  /** The vendor's id of the chat it belongs to, where the simulator knows it (the agent console's inspector). */
  chat?: string;
}

export interface SimulatorOptions {
  /** Always loopback. */
  host?: string;
  /** 0 (default) picks an ephemeral port. */
  port?: number;
  agent?: ScriptedAgentOptions;
}

export interface SimulatorHandle {
  vendor: string;
  /** The URL the widget points at (its data-server, or equivalent). */
  url: string;
  /** Other URLs the widget needs (e.g. a userSig endpoint), by data-* option name. */
  options: Record<string, string>;
  /** Everything received from widgets, oldest first. */
  received: ReceivedFrame[];
  close(): Promise<void>;
}
