/**
 * Commands out to the desk, once the client is ready and history read (the transport's queue
 * holds them until then). A visitor line is sent once: one the desk already holds (history
 * showed it) is echoed, not sent again (core/delivery.ts).
 */
import type { Card, Command } from '../../core/contract';
import { t } from '../../core/i18n';
import { safeUrl } from '../../core/urls';
import { echoOf } from '../../core/delivery';
import type { DeskClient } from './client';
import { askRatingData, cardData, endData, selectionData, triggerData } from './outgoing';
import { restore } from './history';
import type { TencentTransport } from './transport';

export async function sendText(d: TencentTransport, text: string, clientId?: string): Promise<void> {
  const client = d.client as DeskClient;
  let line = clientId === undefined ? undefined : d.lines.get(clientId);
  // Sent before and no history read since (a retry on the same connection): look first.
  if (line && line.id === undefined && !line.checked) await restore(d);
  // It reached the desk; the echo was lost. Echo it now (the core ignores a second one).
  if (line?.id !== undefined) return d.kit.emit({ type: 'message', message: echoOf(line) });
  if (clientId !== undefined && !line) {
    line = d.lines.add(clientId, text, d.kit.clock.now() + d.skew(), undefined);
    d.publishResume();
  }
  if (line) d.lines.wrote(line);
  const msg = await client.sendText(d.to, text);
  d.seen.add(msg.ID);
  if (line && line.id === undefined) {
    d.lines.claim({ id: msg.ID, clientId: line.clientId });
    d.publishResume();
  }
  d.kit.emit({
    type: 'message',
    message: { id: msg.ID, sender: 'visitor', text, sentAt: msg.time * 1000, ...(clientId && { clientId }) },
  });
}

export async function run(d: TencentTransport, c: Command): Promise<void> {
  const client = d.client as DeskClient;
  switch (c.type) {
    case 'start':
      d.endedLocally = false;
      d.flowEnded = false;
      // The site's attributes (update) ride on the trigger as its cloud custom data.
      if (!d.triggered && !d.liveFlow) await client.sendCustom(d.to, triggerData(), true, c.attributes && JSON.stringify(c.attributes));
      d.triggered = true;
      d.liveFlow = false;
      return d.kit.emit({ type: 'accepted' });
    case 'send':
      return sendText(d, c.text, c.clientId);
    case 'choose':
    case 'submit-form': {
      const id = c.promptId;
      const prompt = d.prompts.get(id);
      const value = c.type === 'choose' ? c.optionId : c.value;
      if (!prompt) return;
      if ('options' in prompt) {
        if (prompt.selected || !prompt.options.some((o) => o.id === value)) return;
        const chosen = { ...prompt, selected: value };
        d.prompts.set(id, chosen);
        d.kit.emit({ type: 'branch', branch: chosen });
      } else {
        if (prompt.submitted) return;
        const done = { ...prompt, submitted: value };
        d.prompts.set(id, done);
        d.kit.emit({ type: 'form', form: done });
      }
      // The desk matches the visitor's TEXT to the option's content, exactly.
      return sendText(d, value);
    }
    case 'send-card': {
      const card = safeCard(c.card);
      const msg = await client.sendCustom(d.to, cardData(card), false);
      d.seen.add(msg.ID);
      return d.kit.emit({ type: 'card', id: msg.ID, sender: 'visitor', card, clientId: c.clientId });
    }
    case 'rate': {
      const rating = d.ratings.get(c.ratingId);
      const option = rating?.options.find((o) => o.id === c.optionId);
      if (!rating || !option || rating.selected) return;
      if (rating.expiresAt !== undefined && d.kit.clock.now() + d.skew() >= rating.expiresAt) {
        return d.kit.emit({ type: 'error', code: 'rating-expired', message: t('rating.expired'), fatal: false });
      }
      await client.sendCustom(d.to, selectionData(option.id, option.label, d.ratingSessions.get(rating.id) ?? ''), true);
      const rated = { ...rating, selected: option.id };
      d.ratings.set(rating.id, rated);
      return d.kit.emit({ type: 'rating', rating: rated });
    }
    case 'ask-rating':
      if (!d.mayAsk()) {
        return d.kit.emit({ type: 'error', code: 'not-allowed', message: t('error.notAllowed'), fatal: false });
      }
      await client.sendCustom(d.to, askRatingData(), true);
      return;
    case 'end': {
      // src 27 is for "when the user side has accessed the agent" (document): in the bot
      // flow the chat ends here only.
      const seated = d.seat === 'in' && !d.flowEnded;
      if (!d.endedLocally) d.endLocally();
      if (seated) await client.sendCustom(d.to, endData(), true);
      return;
    }
    case 'typing':
    case 'preview':
      return; // the desk has no visitor typing signal
    default:
      return d.kit.emit({ type: 'error', code: 'unsupported', message: t('error.notAllowed'), fatal: false });
  }
}

function safeCard(card: Card): Card {
  const image = safeUrl(card.image, 'image');
  const url = safeUrl(card.url, 'link');
  return {
    title: String(card.title ?? ''),
    ...(card.description && { description: String(card.description) }),
    ...(image && { image }),
    ...(url && { url }),
  };
}
