/**
 * Vendor name → lazily imported transport module. Each entry is its own chunk, so a page
 * that talks to WhosOn never downloads socket.io or the Tencent SDK. Omnidesk and Diyalog
 * are server-to-server APIs: the browser speaks Confab's relay protocol for both (Diyalog adds
 * its transaction-hash handshake in front of it).
 */
import type { TransportModule } from '../core/contract';

export const VENDORS = ['whoson', 'expertflow', 'expertflow-cx', 'tencent', 'omnidesk', 'diyalog'] as const;
export type Vendor = (typeof VENDORS)[number];

export function isVendor(name: string): name is Vendor {
  return (VENDORS as readonly string[]).includes(name);
}

const loaders: Record<Vendor, () => Promise<TransportModule>> = {
  whoson: () => import('./whoson/transport'),
  expertflow: () => import('./expertflow/transport'),
  'expertflow-cx': () => import('./expertflow-cx/transport'),
  tencent: () => import('./tencent/transport'),
  omnidesk: () => import('./relay/transport'),
  diyalog: () => import('./diyalog/transport'),
};

export function loadTransport(vendor: Vendor): Promise<TransportModule> {
  return loaders[vendor]();
}
