// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { chatting, harness } from './harness';

describe('the public message event reads vendor HTML as text', () => {
  it('decodes every entity and keeps the line breaks', async () => {
    const h = harness();
    await chatting(h);
    const texts: string[] = [];
    h.session.on('message', (m) => texts.push(m.text));
    h.transport.emit({ type: 'message', message: { id: 'm1', sender: 'agent', html: 'Caf&eacute; &lt;ok&gt;<br>Second line' } });
    h.transport.emit({ type: 'message', message: { id: 'm2', sender: 'agent', html: '<p>One</p><p>Two &hellip;</p>' } });
    expect(texts).toEqual(['Café <ok>\nSecond line', 'One\n\nTwo …']);
  });
});
