/**
 * How an ExpertFlow CX conversation behaves: the CIM messages the server sends (bot, agent,
 * system senders), the AgentHost the scripted agent (or the agent console) speaks through, and
 * the checks on what the customer sends (WebChannelData, customer lines).
 */
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { ScriptedAgent, type AgentHost, type ScriptedAgentOptions } from './agent';
import { CX_AGENT, CX_BOT, CX_SERVICE, type CxConversation } from './expertflow-cx-data';
import { obj, str, type Obj } from './obj';

/** What the conversation code needs from the running server. */
export interface CxServerLink {
  agentOptions: ScriptedAgentOptions;
  /** Stored files by name (the file server's). */
  files: Map<string, { mime: string; data: Buffer }>;
  /** The server's origin, known once it listens. */
  base(): string;
  /** An event to every socket of a customer. */
  emit(cid: string, event: string, payload: Obj): void;
}

export type CxRules = ReturnType<typeof cxRules>;

export function cxRules(ctx: CxServerLink) {
  const secret = randomBytes(16);
  function jwt(c: CxConversation): string {
    const enc = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const unsigned = `${enc({ alg: 'HS256', typ: 'JWT' })}.${enc({ sub: c.cid, conversationId: c.id, iat: Math.floor(Date.now() / 1000) })}`;
    return `${unsigned}.${createHmac('sha256', secret).update(unsigned).digest('base64url')}`;
  }

  function cim(c: CxConversation, sender: Obj, body: Obj, header: Obj = {}): Obj {
    return {
      id: randomUUID(),
      header: {
        channelData: { channelCustomerIdentifier: c.cid, serviceIdentifier: CX_SERVICE },
        conversationId: c.id,
        customer: { _id: c.customerId },
        timestamp: Date.now(),
        sender,
        intent: null,
        originalMessageId: null,
        ...header,
      },
      body,
    };
  }

  const botSender = { id: CX_BOT.id, type: 'BOT', senderName: CX_BOT.name, additionalDetail: null };
  const agentSender = (name = CX_AGENT.username) => ({
    id: CX_AGENT.id,
    type: 'AGENT',
    senderName: name,
    additionalDetail: { firstName: CX_AGENT.firstName, lastName: CX_AGENT.lastName, username: name },
  });
  const systemSender = { id: 'system', type: 'SYSTEM', senderName: 'System', additionalDetail: null };

  function deliver(c: CxConversation, m: Obj, keep = true): void {
    if (keep) c.history.push(m);
    ctx.agentOptions.desk?.sent('socket.io', 'MESSAGE_RECEIVED', m, c.id);
    ctx.emit(c.cid, 'MESSAGE_RECEIVED', m);
  }

  function botButtons(c: CxConversation): void {
    const m = cim(c, botSender, {
      type: 'BUTTON',
      markdownText: 'Hi! I am the Expertflow assistant. How can I help you?',
      buttons: [
        { title: 'Talk to an agent', payload: '/talk_to_agent', type: 'postback' },
        { title: 'Opening hours', payload: '/opening_hours{"branch":"main"}', type: 'postback' },
      ],
      additionalDetails: { interactive: { type: 'button' } },
    });
    c.prompts.add(str(m.id)!);
    deliver(c, m);
  }

  function participant(c: CxConversation, type: string, name: string): Obj {
    return cim(c, systemSender, {
      type: 'NOTIFICATION',
      markdownText: '',
      notificationType: type,
      notificationData: {
        data: {
          agentParticipant: {
            participant: { type: 'AGENT', keycloakUser: { firstName: name.split(' ')[0], lastName: name.split(' ').slice(1).join(' '), username: CX_AGENT.username } },
          },
        },
      },
    });
  }

  function hostFor(c: CxConversation): AgentHost {
    let name = `${CX_AGENT.firstName} ${CX_AGENT.lastName}`;
    return {
      queue: () => undefined, // CX tells the customer no queue position
      waiting: (kind, text) => {
        if (kind === 'final') {
          deliver(c, cim(c, systemSender, { type: 'NOTIFICATION', notificationType: 'NO_AGENT_AVAILABLE', markdownText: text }));
          return endChat(c, 'CHANNEL_SESSION_ENDED');
        }
        deliver(c, cim(c, systemSender, { type: 'NOTIFICATION', notificationType: 'QUEUE_UPDATE', markdownText: text }), false);
      },
      join: (identity) => {
        name = identity.name;
        c.state = 'agent';
        deliver(c, participant(c, 'AGENT_SUBSCRIBED', name));
      },
      typing: (on) => {
        if (on) deliver(c, cim(c, agentSender(), { type: 'NOTIFICATION', markdownText: '', notificationType: 'TYPING_STARTED' }), false);
      },
      say: (text) => deliver(c, cim(c, agentSender(), { type: 'PLAIN', markdownText: text })),
      sendAttachment: (file) => {
        const stored = `${randomBytes(3).toString('hex')}_${file.name}`;
        ctx.files.set(stored, { mime: file.mime, data: Buffer.from(file.bytes) });
        const mediaUrl = file.url ?? `${ctx.base()}/api/downloadFileStream?filename=${encodeURIComponent(stored)}`;
        const major = file.mime.split('/')[0];
        const media = major === 'image' || major === 'video' || major === 'audio';
        deliver(
          c,
          cim(c, agentSender(), {
            type: media ? major!.toUpperCase() : 'FILE',
            markdownText: '',
            caption: media ? file.name : '',
            additionalDetails: media ? {} : { fileName: file.name },
            attachment: { mediaUrl, type: file.mime, size: file.bytes.length, extType: file.name.split('.').pop(), mimeType: file.mime },
          }),
        );
      },
      end: (by) => {
        deliver(c, participant(c, 'AGENT_UNSUBSCRIBED', name));
        endChat(c, by === 'timeout' ? 'CHANNEL_SESSION_EXPIRED' : 'CHANNEL_SESSION_ENDED');
      },
    };
  }

  function endChat(c: CxConversation, event: string): void {
    if (c.state === 'ended') return;
    c.state = 'ended';
    c.agent?.visitorLeft();
    ctx.agentOptions.desk?.sent('socket.io', event, { conversationId: c.id, reason: event }, c.id);
    ctx.emit(c.cid, event, { conversationId: c.id, reason: event });
  }

  function toAgent(c: CxConversation, visitorName: string): void {
    if (c.agent) return;
    deliver(c, cim(c, botSender, { type: 'PLAIN', markdownText: 'Let me connect you to one of our agents.' }));
    const agent = new ScriptedAgent(hostFor(c), { ...ctx.agentOptions, chat: c.id });
    c.agent = agent;
    if (!agent.isAvailable()) {
      deliver(c, cim(c, botSender, { type: 'PLAIN', markdownText: 'Sorry, no agent is available right now. Please try again later.' }));
      return endChat(c, 'CHANNEL_SESSION_ENDED');
    }
    agent.start(visitorName);
  }

  /** W's WebChannelData, every part it always sends. */
  function checkRequest(p: Obj | null, cid: string): string | null {
    if (!p) return 'CHAT_REQUESTED without a payload';
    if (p.channelCustomerIdentifier !== cid) return 'CHAT_REQUESTED for another channelCustomerIdentifier than the socket auth';
    if (p.serviceIdentifier !== CX_SERVICE) return 'CHAT_REQUESTED for an unknown serviceIdentifier';
    const attrs = Array.isArray(p.additionalAttributes) ? p.additionalAttributes.map(obj) : [];
    const wcd = attrs.find((a) => a?.key === 'WebChannelData');
    if (!wcd || wcd.type !== 'WebChannelData') return 'CHAT_REQUESTED without the WebChannelData attribute';
    // E3's chatRequest sends WebChannelData alone (its AdditionalAttributesData value is WebChannelData).
    if (attrs.length !== 1) return 'CHAT_REQUESTED with additionalAttributes besides WebChannelData';
    const v = obj(wcd.value);
    if (!v || !obj(v.browserDeviceInfo) || typeof v.queue !== 'string' || !obj(v.locale)) return 'WebChannelData lacks browserDeviceInfo, queue or locale';
    const form = obj(v.formData);
    if (!form || !Array.isArray(form.attributes) || typeof form.filledBy !== 'string') return 'WebChannelData.formData is not {formId, filledBy, attributes, …}';
    // E4 README's customer data payload: each attribute is {key, value, type} ('string').
    for (const a of form.attributes.map(obj)) {
      if (!a || typeof a.key !== 'string' || !a.key) return 'formData attribute without a key';
      if (typeof a.type !== 'string' || a.value === undefined || a.value === null) return `formData attribute "${a.key.slice(0, 64)}" without a value and type`;
    }
    return null;
  }

  function customerLine(c: CxConversation, p: Obj): Obj | string {
    const header = obj(p.header);
    const body = obj(p.body);
    if (!header || !body) return 'MESSAGE_RECEIVED without header or body';
    const sender = obj(header.sender);
    if (!sender || str(sender.type)?.toUpperCase() !== 'CUSTOMER') return 'MESSAGE_RECEIVED whose sender is not a CUSTOMER';
    const type = str(body.type)?.toUpperCase() ?? '';
    if (str(p.type)?.toUpperCase() !== type) return `MESSAGE_RECEIVED type ${String(p.type)} differs from body.type ${type}`;
    if (type === 'PLAIN') {
      if (typeof body.markdownText !== 'string' || !body.markdownText.trim()) return 'PLAIN line without markdownText';
    } else if (['FILE', 'IMAGE', 'VIDEO', 'AUDIO'].includes(type)) {
      const a = obj(body.attachment);
      const url = str(a?.mediaUrl) ?? '';
      const m = /\/api\/downloadFileStream\?filename=([^&]+)$/.exec(url);
      if (!a || !url.startsWith(ctx.base()) || !m || !ctx.files.has(decodeURIComponent(m[1]!))) return `${type} line whose mediaUrl is not a file on this file server`;
      if (typeof a.mimeType !== 'string' || typeof a.size !== 'number') return `${type} attachment without mimeType or size`;
      if (type === 'FILE' && !str(obj(body.additionalDetails)?.fileName)) return 'FILE line without additionalDetails.fileName';
    } else return `MESSAGE_RECEIVED of type ${type}, which a customer does not send as a line`;
    if (!obj(p.customer)) return 'MESSAGE_RECEIVED without the customer data';
    return cim(c, { ...sender, id: c.customerId }, body, {
      intent: header.intent ?? null,
      entities: header.entities ?? {},
      originalMessageId: header.originalMessageId ?? null,
      additionalData: header.additionalData ?? {},
    });
  }

  return { jwt, cim, botSender, agentSender, systemSender, deliver, botButtons, participant, hostFor, endChat, toAgent, checkRequest, customerLine };
}
