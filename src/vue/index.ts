/**
 * `confab-chat/vue`: the widget as a Vue 3 component, a few lines over mount().
 *
 *   <ConfabChat vendor="omnidesk" relay="wss://relay.example.com" />
 *   const chat = useConfab(); … chat('open')
 *
 * The attributes are the widget's options (kebab-case as in the script tag, or camelCase);
 * `open` and `sound` as bare attributes mean true. The widget is a launcher fixed in a corner
 * of the page, so the component renders nothing where it stands: it mounts the widget when it
 * mounts, mounts a new one when its options change, and destroys it when it unmounts (route
 * changes, hot reload). Preact is inside the package: it never meets the app's Vue.
 */
import { defineComponent, onBeforeUnmount, onMounted, onUpdated, type DefineComponent } from 'vue';
import { pairOptions } from '../embed/options';
import { confab, mount, optionStrings, type ConfabHandle, type ConfabOptions } from '../embed/npm';

export type * from '../embed/public-api';

const Component = defineComponent({
  name: 'ConfabChat',
  inheritAttrs: false,
  setup(_, { attrs }) {
    let call: ConfabHandle | null = null;
    let key = '';
    const sync = () => {
      const options = pairOptions(Object.entries(optionStrings(attrs as unknown as ConfabOptions)));
      const next = JSON.stringify(options);
      if (next === key) return;
      key = next;
      call?.('destroy');
      call = mount(options as unknown as ConfabOptions);
    };
    onMounted(sync);
    onUpdated(sync);
    onBeforeUnmount(() => {
      call?.('destroy');
      call = null;
      key = '';
    });
    return () => null;
  },
});

/** `<ConfabChat>`: its props are the widget's options (the union per vendor). */
export const ConfabChat = Component as unknown as DefineComponent<ConfabOptions>;

/**
 * The API of the widget named `name` (data-name, else its vendor), or of every widget: safe to
 * call before the widget has mounted (calls wait for it).
 */
export function useConfab(name?: string): ConfabHandle {
  return confab(name);
}
