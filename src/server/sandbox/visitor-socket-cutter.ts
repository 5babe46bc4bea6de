/**
 * The sandbox's "drop the visitors" fault for a relay it runs: every WebSocket upgraded on
 * the relay's HTTP server is remembered, and `cut()` destroys them (as a lost network would;
 * the sessions stay and the widgets resume). A fault hook, so it lives here, not in the relay.
 */
import type { Duplex } from 'node:stream';
import type { RelayHandle } from '../relay/server';

export class VisitorSocketCutter {
  private readonly open = new Set<Duplex>();

  /** Watch this relay's upgrades (again after each restart: a restarted relay is a new server). */
  watch(relay: RelayHandle): void {
    relay.httpServer.on('upgrade', (_req, socket: Duplex) => {
      if (socket.destroyed) return;
      this.open.add(socket);
      socket.once('close', () => this.open.delete(socket));
    });
  }

  /** Cut every visitor socket now; says how many there were. */
  cut(): number {
    const n = this.open.size;
    for (const socket of this.open) socket.destroy();
    this.open.clear();
    return n;
  }
}
