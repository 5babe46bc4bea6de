/**
 * `confab-chat/react`: the widget as a React component, a few lines over mount().
 *
 *   <ConfabChat vendor="omnidesk" relay="wss://relay.example.com" />
 *   const chat = useConfab(); … chat('open')
 *
 * The widget is a launcher fixed in a corner of the page, so the component renders nothing
 * where it stands: it mounts the widget in an effect and destroys it in the effect's cleanup.
 * StrictMode (mount → destroy → mount), Fast Refresh and route changes therefore leave one
 * widget, and new options mount a new one. Preact is inside the package: the app's React
 * version never has to match.
 */
import { useEffect, useMemo } from 'react';
import { confab, mount, optionStrings, type ConfabHandle, type ConfabOptions } from '../embed/npm';

export type * from '../embed/public-api';

/** The widget's options as props (the union per vendor: `vendor` picks the required ones). */
export type ConfabChatProps = ConfabOptions;

export function ConfabChat(props: ConfabChatProps): null {
  // Options are strings once the widget has them: the same strings, the same widget.
  const key = JSON.stringify(optionStrings(props));
  useEffect(() => {
    const call = mount(JSON.parse(key) as ConfabOptions);
    return () => void call?.('destroy');
  }, [key]);
  return null;
}

/**
 * The API of the widget named `name` (data-name, else its vendor), or of every widget: a
 * stable function, safe to call before the widget has mounted (calls wait for it).
 */
export function useConfab(name?: string): ConfabHandle {
  return useMemo(() => confab(name), [name]);
}
