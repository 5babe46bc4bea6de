import { describe, expect, it } from 'vitest';
import { chatConfig, chatting, connected, harness } from './harness';
import type { Command } from '../../src/core/contract';

const typingAndPreview = (commands: Command[]): string[] =>
  commands
    .filter((c) => c.type === 'typing' || c.type === 'preview' || c.type === 'send')
    .map((c) =>
      c.type === 'typing' ? `typing:${c.on ? 'on' : 'off'}` : c.type === 'preview' ? `preview:${c.text}` : 'send',
    );

describe('visitor typing (2 s idle rule)', () => {
  it('starts on the first keystroke only and stops 2 s after the last one', async () => {
    const h = harness({ capabilities: ['typing'] });
    await chatting(h);
    h.session.composing('h');
    h.clock.advance(1500);
    h.session.composing('he');
    h.clock.advance(1500); // 3 s since the first key, 1.5 s since the last
    h.session.composing('hel');
    expect(typingAndPreview(h.transport.commands)).toEqual(['typing:on']);
    h.clock.advance(1999);
    expect(typingAndPreview(h.transport.commands)).toEqual(['typing:on']);
    h.clock.advance(1);
    expect(typingAndPreview(h.transport.commands)).toEqual(['typing:on', 'typing:off']);
    h.session.composing('hell');
    expect(typingAndPreview(h.transport.commands)).toEqual(['typing:on', 'typing:off', 'typing:on']);
  });

  it('stops at once when the box is emptied', async () => {
    const h = harness({ capabilities: ['typing'] });
    await chatting(h);
    h.session.composing('oops');
    h.session.composing('');
    h.session.composing('');
    h.clock.advance(5000);
    expect(typingAndPreview(h.transport.commands)).toEqual(['typing:on', 'typing:off']);
  });

  it('sending implies stop: no stop command follows a send', async () => {
    const h = harness({ capabilities: ['typing'] });
    await chatting(h);
    h.session.composing('hi');
    h.session.send('hi');
    h.session.composing('');
    h.clock.advance(5000);
    expect(typingAndPreview(h.transport.commands)).toEqual(['typing:on', 'send']);
  });

  it('sends nothing while not waiting or chatting, or when the vendor has no typing', async () => {
    const h = harness({ capabilities: ['typing', 'preview'] });
    await connected(h);
    h.session.composing('early');
    h.clock.advance(3000);
    expect(h.transport.commands).toEqual([]);
    const h2 = harness({ capabilities: [] });
    await chatting(h2);
    h2.session.composing('x');
    h2.clock.advance(3000);
    expect(typingAndPreview(h2.transport.commands)).toEqual([]);
  });
});

describe('preview text', () => {
  it('sends at most one preview per second, delivering the latest value at the end', async () => {
    const h = harness({ capabilities: ['preview'] });
    await chatting(h);
    h.session.composing('H');
    h.clock.advance(300);
    h.session.composing('He');
    h.clock.advance(300);
    h.session.composing('Hel');
    expect(typingAndPreview(h.transport.commands)).toEqual(['preview:H']);
    h.clock.advance(399);
    expect(typingAndPreview(h.transport.commands)).toEqual(['preview:H']);
    h.clock.advance(1);
    expect(typingAndPreview(h.transport.commands)).toEqual(['preview:H', 'preview:Hel']);
    h.clock.advance(5000);
    h.session.composing('Hell');
    expect(typingAndPreview(h.transport.commands)).toEqual(['preview:H', 'preview:Hel', 'preview:Hell']);
  });

  it('drops the pending preview when the line is sent', async () => {
    const h = harness({ capabilities: ['preview'] });
    await chatting(h);
    h.session.composing('a');
    h.session.composing('ab');
    h.session.send('ab');
    h.session.composing('');
    h.clock.advance(5000);
    expect(typingAndPreview(h.transport.commands)).toEqual(['preview:a', 'send']);
  });

  it('sends no preview unless the vendor can and the site allows it', async () => {
    const h = harness({ capabilities: ['preview'] });
    await chatting(h, chatConfig({ previewAllowed: false }));
    h.session.composing('secret');
    h.clock.advance(2000);
    expect(typingAndPreview(h.transport.commands)).toEqual([]);
  });
});

describe('agent typing indicator', () => {
  it('clears itself after 10 s without a new typing event, and on the next agent line', async () => {
    const h = harness();
    await chatting(h);
    h.transport.emit({ type: 'typing', on: true });
    expect(h.session.agentTyping.value).toBe(true);
    h.clock.advance(9000);
    h.transport.emit({ type: 'typing', on: true });
    h.clock.advance(9000);
    expect(h.session.agentTyping.value).toBe(true);
    h.clock.advance(1000);
    expect(h.session.agentTyping.value).toBe(false);
    h.transport.emit({ type: 'typing', on: true });
    h.transport.emit({ type: 'message', message: { id: 'm1', sender: 'agent', text: 'Done' } });
    expect(h.session.agentTyping.value).toBe(false);
    h.transport.emit({ type: 'typing', on: true });
    h.transport.emit({ type: 'typing', on: false });
    expect(h.session.agentTyping.value).toBe(false);
  });
});
