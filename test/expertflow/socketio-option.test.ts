// @vitest-environment happy-dom
/** `data-socketio` forces ExpertFlow's socket.io generation: only "2" or "4"; any other value is named when the chat code loads. */
import { describe, expect, it } from 'vitest';
import { invalidOptions, parseOptions } from '../../src/embed/options';
import { languageCode } from '../../src/transports/expertflow/transport';

describe('ExpertFlow options', () => {
  const base = { vendor: 'expertflow', server: 'https://chat.example.com' };

  it('accepts data-socketio="2" and "4", or none, and names any other value', () => {
    expect(parseOptions({ ...base, socketio: '2' })).toMatchObject({ all: { socketio: '2' } });
    expect(parseOptions({ ...base, socketio: '4' })).toMatchObject({ all: { socketio: '4' } });
    expect(parseOptions(base)).toMatchObject({ vendor: 'expertflow' });
    // An optional attribute: a wrong value is named once when the chat code loads, and the
    // transport asks the server instead (it forces only "2" or "4").
    expect(parseOptions({ ...base, socketio: '3' })).toMatchObject({ vendor: 'expertflow' });
    expect(invalidOptions({ ...base, socketio: '3' })).toEqual([
      'data-socketio is "3", which is not 2 or 4; the server\'s socket.io generation is found by asking it.',
    ]);
    expect(invalidOptions({ ...base, socketio: '2' })).toEqual([]);
  });

  it('sends the primary language subtag, as the document\'s example ("en")', () => {
    expect(['en', 'en-GB', 'zh-Hant-TW', 'de-CH', 'ur', 'AR'].map(languageCode)).toEqual(['en', 'en', 'zh', 'de', 'ur', 'ar']);
  });
});
