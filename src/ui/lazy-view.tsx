/**
 * A view that lives in a chunk of its own. The app chunk carries what a visitor needs the
 * moment the window opens (header, pre-chat form, conversation, sanitizer); the after-chat
 * view and the leave-a-message view download while the visitor is busy with the step
 * before, via prefetch(), so they normally render at once. Until a view has arrived it
 * renders a one-line "Loading chat…".
 */
import { signal } from '@preact/signals-core';
import type { ComponentType } from 'preact';
import { t } from '../core/i18n';

/** Counts arrivals, so the window can move focus into a view that was still loading. */
export const viewsArrived = signal(0);

export interface LazyView<P> {
  View: ComponentType<P>;
  /** Starts the download; safe to call any number of times. */
  prefetch(): void;
}

export function lazyView<P extends object>(load: () => Promise<ComponentType<P>>): LazyView<P> {
  const loaded = signal<ComponentType<P> | null>(null);
  let loading: Promise<void> | null = null;
  const prefetch = (): void => {
    loading ??= load().then(
      (view) => {
        loaded.value = view;
        viewsArrived.value += 1;
      },
      (err: unknown) => {
        // A failed download is tried again the next time the view renders (no hot retry loop).
        loading = null;
        console.warn('[confab] could not load part of the chat window', err);
      },
    );
  };
  function View(props: P) {
    const Loaded = loaded.value;
    if (Loaded) return <Loaded {...props} />;
    prefetch();
    return <p class="confab-loading">{t('window.loading')}</p>;
  }
  return { View, prefetch };
}
