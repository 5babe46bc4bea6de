// @vitest-environment happy-dom
/** `data-socketio` forces ExpertFlow's socket.io generation: only "2" or "4", named when wrong. */
import { describe, expect, it } from 'vitest';
import { parseOptions } from '../../src/embed/options';
import { languageCode } from '../../src/transports/expertflow/transport';

describe('ExpertFlow options', () => {
  const base = { vendor: 'expertflow', server: 'https://chat.example.com' };

  it('accepts data-socketio="2" and "4", or none, and names any other value', () => {
    expect(parseOptions({ ...base, socketio: '2' })).toMatchObject({ all: { socketio: '2' } });
    expect(parseOptions({ ...base, socketio: '4' })).toMatchObject({ all: { socketio: '4' } });
    expect(parseOptions(base)).toMatchObject({ vendor: 'expertflow' });
    expect(parseOptions({ ...base, socketio: '3' })).toBe('data-socketio must be "2" or "4", not "3".');
  });

  it('sends the primary language subtag, as the document\'s example ("en")', () => {
    expect(['en', 'en-GB', 'zh-Hant-TW', 'de-CH', 'ur', 'AR'].map(languageCode)).toEqual(['en', 'en', 'zh', 'de', 'ur', 'ar']);
  });
});
