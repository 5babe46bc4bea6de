/**
 * The little of socket.io-client 2.x (npm alias `socket.io-client-v2`, no bundled types) that
 * the ExpertFlow link uses: `io(uri, opts)` and the socket it returns. Event arguments are
 * whatever the server sent.
 */
declare module 'socket.io-client-v2' {
  interface V2Emitter {
    on(event: string, listener: (...args: never[]) => void): unknown;
  }
  export interface V2Manager extends V2Emitter {
    reconnectionAttempts(attempts: number): unknown;
  }
  export interface V2Socket extends V2Emitter {
    readonly connected: boolean;
    readonly io: V2Manager;
    emit(event: string, ...args: unknown[]): unknown;
    connect(): unknown;
    disconnect(): unknown;
  }
  export interface V2Options {
    path?: string;
    forceNew?: boolean;
    reconnectionAttempts?: number;
    reconnectionDelay?: number;
    reconnectionDelayMax?: number;
    randomizationFactor?: number;
    transports?: string[];
  }
  function io(uri: string, opts?: V2Options): V2Socket;
  export default io;
}
