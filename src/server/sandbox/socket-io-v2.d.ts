/**
 * The little of socket.io 2.x's server (npm alias `socket.io-v2`, no bundled types) that the
 * ExpertFlow simulator uses. Listener arguments are whatever a client sent: `unknown`.
 */
declare module 'socket.io-v2' {
  import type { Server as HttpServer } from 'node:http';

  export interface V2Socket {
    readonly id: string;
    on(event: string, listener: (...args: unknown[]) => void): this;
    emit(event: string, ...args: unknown[]): boolean;
    join(room: string, fn?: (err?: unknown) => void): this;
    disconnect(close?: boolean): this;
  }

  export interface V2Server {
    on(event: 'connection', listener: (socket: V2Socket) => void): this;
    to(room: string): { emit(event: string, ...args: unknown[]): boolean };
    close(fn?: () => void): void;
  }

  export interface V2ServerOptions {
    path?: string;
    serveClient?: boolean;
    origins?: string | ((origin: string, callback: (error: Error | null, success: boolean) => void) => void);
    pingInterval?: number;
    pingTimeout?: number;
  }

  function createServer(srv: HttpServer, opts?: V2ServerOptions): V2Server;
  export default createServer;
}
