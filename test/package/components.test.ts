// @vitest-environment happy-dom
/**
 * confab-chat/react and confab-chat/vue in their own frameworks: React StrictMode (mount →
 * destroy → mount), new options, route changes (unmount) and Vue's mount/update/unmount
 * leave exactly one launcher, or none.
 */
import { createElement, StrictMode, useState, act } from 'react';
import { createRoot } from 'react-dom/client';
import { createApp, h, nextTick, ref } from 'vue';
import { afterEach, expect, it } from 'vitest';
import { ConfabChat as ReactChat, useConfab } from '../../src/react/index';
import { ConfabChat as VueChat } from '../../src/vue/index';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;
const omnidesk = { vendor: 'omnidesk', relay: 'wss://relay.example.com' } as const;
const launchers = () => [...document.querySelectorAll<HTMLElement>('confab-chat')];
const registered = () => (window as unknown as { Confab?: { w?: Set<unknown> } }).Confab?.w?.size ?? 0;

afterEach(() => {
  document.body.innerHTML = '';
  delete (window as { Confab?: unknown }).Confab;
});

it('React: StrictMode leaves one launcher; new options replace it; unmounting (a route change) removes it', async () => {
  const host = document.body.appendChild(document.createElement('div'));
  const root = createRoot(host);
  let setColor!: (c: string) => void;
  let chat!: ReturnType<typeof useConfab>;
  function App() {
    const [color, set] = useState('#112233');
    setColor = set;
    chat = useConfab();
    return createElement(ReactChat, { ...omnidesk, color, open: false });
  }
  await act(async () => root.render(createElement(StrictMode, null, createElement(App))));
  expect(launchers()).toHaveLength(1);
  expect(registered()).toBe(1);
  expect(chat('isOpen')).toBe(false);
  await act(async () => setColor('#445566'));
  expect(launchers()).toHaveLength(1);
  expect(launchers()[0]?.style.getPropertyValue('--confab-color')).toBe('#445566');
  await act(async () => root.unmount());
  expect([launchers().length, registered()]).toEqual([0, 0]);
});

it('Vue: attributes are options (kebab-case, bare booleans); an update replaces the widget; unmount removes it', async () => {
  const host = document.body.appendChild(document.createElement('div'));
  const color = ref('#112233');
  const shown = ref(true);
  const app = createApp({
    render: () => (shown.value ? h(VueChat, { vendor: 'whoson', server: 'wss://chat.example.com', domain: 'example.com', auth: 'a', 'api-key': 'k', color: color.value }) : null),
  });
  app.mount(host);
  await nextTick();
  expect(launchers()).toHaveLength(1);
  color.value = '#445566';
  await nextTick();
  expect(launchers()).toHaveLength(1);
  expect(launchers()[0]?.style.getPropertyValue('--confab-color')).toBe('#445566');
  shown.value = false; // the route changed
  await nextTick();
  expect([launchers().length, registered()]).toEqual([0, 0]);
  app.unmount();
});
