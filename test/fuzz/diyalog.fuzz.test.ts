import { describe } from 'vitest';
import { createDiyalogTransport } from '../../src/transports/diyalog/transport';
import { relayFuzzSuite, relayOptions } from './relay-frames';

// Diyalog's browser transport is the relay's with a handshake in front of `start`: its frame
// path is the relay's, so the same storm goes through createDiyalogTransport.
describe('diyalog: fuzzed relay frames', () => {
  relayFuzzSuite('diyalog', (WebSocket) =>
    createDiyalogTransport(relayOptions({ vendor: 'diyalog', transactionUrl: 'https://bank.example/tx' }), { WebSocket, storage: () => null }),
  );
});
