/**
 * The transcript as a log (role="log", "Messages"). Each row is a memoized component
 * keyed by item id: items are immutable, so a new message renders one new row and
 * leaves the others alone. Rows use `content-visibility: auto` (CSS) for long histories.
 * New lines scroll into view only when the visitor was already at the bottom.
 */
import { Component } from 'preact';
import { useLayoutEffect, useRef } from 'preact/hooks';
import { t } from '../core/i18n';
import type { TranscriptItem } from '../core/session-api';
import { BranchItem } from './branch-item';
import { CardItem } from './card-item';
import { useUi } from './context';
import { FileRequestItem } from './file-request-item';
import { FormItem } from './form-item';
import { MessageRow } from './message-row';
import { RatingItem } from './rating-item';

function RowBody({ item }: { item: TranscriptItem }) {
  switch (item.kind) {
    case 'message':
      return <MessageRow item={item} />;
    case 'notice':
      return <p class={`confab-notice confab-${item.tone ?? 'info'}`}>{item.text}</p>;
    case 'branch':
      return <BranchItem item={item} />;
    case 'form':
      return <FormItem item={item} />;
    case 'card':
      return <CardItem item={item} />;
    case 'rating':
      return <RatingItem item={item} />;
    case 'file-request':
      return <FileRequestItem item={item} />;
  }
}

// A hand-rolled memo (preact/compat's would cost bytes): re-render only when the item changed.
export class Row extends Component<{ item: TranscriptItem }> {
  override shouldComponentUpdate(next: { item: TranscriptItem }): boolean {
    return next.item !== this.props.item;
  }
  override render() {
    const { item } = this.props;
    return (
      <div class="confab-row" data-kind={item.kind}>
        <RowBody item={item} />
      </div>
    );
  }
}

export function MessageList() {
  const { session } = useUi();
  const items = session.transcript.value;
  const ref = useRef<HTMLDivElement>(null);
  const stuck = useRef(true);

  useLayoutEffect(() => {
    const el = ref.current;
    if (el && stuck.current) el.scrollTop = el.scrollHeight;
  }, [items]);

  return (
    <div
      ref={ref}
      role="log"
      aria-label={t('messages.label')}
      class="confab-log"
      tabIndex={0}
      onScroll={(e) => {
        const el = e.currentTarget;
        stuck.current = el.scrollHeight - el.scrollTop - el.clientHeight < 40;
      }}
    >
      {items.map((item) => (
        <Row key={item.id} item={item} />
      ))}
    </div>
  );
}
