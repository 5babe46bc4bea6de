/**
 * The one visually hidden polite live region. It announces what a screen-reader user
 * would otherwise miss while typing: each new incoming agent/bot line (once), an agent
 * joining or leaving, queue position changes and the end of the chat. Not typing: that
 * would chatter. Lines already present when the window opens are history, not news.
 * A line still growing (a streamed answer, `partial`) is announced once, when finished:
 * per chunk it would read the same sentence over and over.
 */
import { effect, signal, type Signal } from '@preact/signals-core';
import { useEffect } from 'preact/hooks';
import { t } from '../core/i18n';
import type { Session, TranscriptItem } from '../core/session-api';
import { htmlToText } from '../core/html-text';

interface Line {
  id: number;
  text: string;
}

const KEEP_MS = 7000;

export interface Announcer {
  lines: Signal<Line[]>;
  announce(text: string): void;
  dispose(): void;
}

export function createAnnouncer(): Announcer {
  const lines = signal<Line[]>([]);
  const timers = new Set<ReturnType<typeof setTimeout>>();
  let next = 0;
  return {
    lines,
    announce(text) {
      if (!text) return;
      const id = ++next;
      lines.value = [...lines.value.slice(-2), { id, text }];
      // Cleared afterwards so a screen reader browsing the region later doesn't re-read stale news.
      const timer = setTimeout(() => {
        timers.delete(timer);
        lines.value = lines.value.filter((l) => l.id !== id);
      }, KEEP_MS);
      timers.add(timer);
    },
    dispose() {
      timers.forEach(clearTimeout);
      timers.clear();
    },
  };
}

function describe(item: TranscriptItem, session: Session): string | null {
  if (item.kind === 'message' && (item.sender === 'agent' || item.sender === 'bot')) {
    const body = item.text ?? (item.html ? htmlToText(item.html) : item.attachments?.map((a) => a.name).join(', '));
    const name = item.authorName ?? session.agent.peek()?.name ?? t(item.sender === 'bot' ? 'messages.bot' : 'messages.agent');
    return body ? t('live.message', { name, text: body }) : null;
  }
  if (item.kind === 'branch') return item.branch.header || null;
  if (item.kind === 'rating') return item.rating.title ?? t('rating.title');
  return null;
}

/** Wires the session's news into `announce` for as long as the calling component lives. */
export function useSessionAnnouncements(session: Session, announce: (text: string) => void): void {
  useEffect(() => {
    const seen = new Set(session.transcript.peek().map((i) => i.id));
    /** Lines seen while still growing: announced when they finish (a reload mid-stream too). */
    const growing = new Set(session.transcript.peek().filter((i) => i.kind === 'message' && i.partial).map((i) => i.id));
    let agent = session.agent.peek();
    let position = session.wait.peek().position;
    let phase = session.phase.peek();
    /** Growing lines are recent: look for them from the end, and forget those withdrawn. */
    const finishGrowing = (items: readonly TranscriptItem[]): void => {
      const left = new Set(growing);
      for (let j = items.length - 1; j >= 0 && left.size; j--) {
        const item = items[j]!;
        if (!left.delete(item.id)) continue;
        if (item.kind === 'message' && item.partial) continue;
        growing.delete(item.id);
        const text = describe(item, session);
        if (text) announce(text);
      }
      for (const id of left) growing.delete(id);
    };
    const stops = [
      effect(() => {
        // New lines are at the end: walk back to the first one already seen, so a line costs
        // the same however long the chat (an updated older item keeps its id: no news).
        const items = session.transcript.value;
        let i = items.length;
        while (i > 0 && !seen.has(items[i - 1]!.id)) i -= 1;
        for (const item of items.slice(i)) {
          seen.add(item.id);
          if (item.kind === 'message' && item.partial) {
            growing.add(item.id);
            continue;
          }
          const text = describe(item, session);
          if (text) announce(text);
        }
        if (growing.size) finishGrowing(items);
      }),
      effect(() => {
        const now = session.agent.value;
        if (now?.name !== agent?.name) {
          // "Start a new chat" clears the agent together with the phase (back to closed or
          // prechat): that is a reset, not the agent leaving, so nothing is said.
          const reset = !now && (session.phase.peek() === 'closed' || session.phase.peek() === 'prechat');
          if (agent && !reset) announce(t('live.left', { name: agent.name }));
          if (now) announce(t('live.joined', { name: now.name }));
        }
        agent = now;
      }),
      effect(() => {
        const { position: p, total } = session.wait.value;
        if (p !== undefined && p !== position) {
          announce(total ? t('wait.positionOf', { position: p, total }) : t('wait.position', { position: p }));
        }
        position = p;
      }),
      effect(() => {
        const now = session.phase.value;
        if (now === 'ended' && phase !== 'ended') announce(t('live.ended'));
        phase = now;
      }),
    ];
    return () => stops.forEach((stop) => stop());
  }, [session, announce]);
}

export function LiveRegion({ lines }: { lines: Signal<Line[]> }) {
  return (
    <div class="confab-sr" aria-live="polite" aria-atomic="false" data-testid="live-region">
      {lines.value.map((l) => (
        <p key={l.id}>{l.text}</p>
      ))}
    </div>
  );
}
