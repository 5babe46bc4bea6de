import { describe } from 'vitest';
import { createRelayTransport } from '../../src/transports/relay/transport';
import { relayFuzzSuite, relayOptions } from './relay-frames';

describe('relay (browser side): fuzzed relay frames', () => {
  relayFuzzSuite('relay', (WebSocket) => createRelayTransport(relayOptions(), { WebSocket, random: () => 0 }));
});
