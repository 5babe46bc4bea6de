/**
 * What one visitor (an IP, a session) may ask of the relay and, through it, of the vendor:
 * every frame counts (invalid ones, acks and pings too, each may cost a store command), new
 * sessions per IP (each costs the vendor a config call), and chat starts and left messages
 * per session and per IP (each makes a chat or a ticket at the vendor).
 */
import { RateLimiter, type Limiter, type LimiterFactory, type RateLimit } from './rate-limit';

export interface VisitorRates {
  /** Frames of any kind per session (commands also pass the per-session command limit). */
  frames: RateLimit;
  /** New sessions (`hello`) per IP. */
  sessionsPerIp: RateLimit;
  /** `start` commands. */
  startsPerSession: RateLimit;
  startsPerIp: RateLimit;
  /** `leave-message` commands. */
  leaveMessagesPerSession: RateLimit;
  leaveMessagesPerIp: RateLimit;
}

// Per IP generous enough for an office behind one NAT address (and no tighter than the
// connect rate); per session what one visitor can plausibly mean.
export const DEFAULT_VISITOR_RATES: VisitorRates = {
  frames: { capacity: 120, perMinute: 600 },
  sessionsPerIp: { capacity: 60, perMinute: 120 },
  startsPerSession: { capacity: 5, perMinute: 2 },
  startsPerIp: { capacity: 30, perMinute: 60 },
  leaveMessagesPerSession: { capacity: 2, perMinute: 1 },
  leaveMessagesPerIp: { capacity: 10, perMinute: 10 },
};

export class VisitorLimits {
  private readonly limiters: Record<keyof VisitorRates, Limiter>;

  /** `make`: in memory by default; a shared store makes limits every instance shares. */
  constructor(rates: Partial<VisitorRates> = {}, make: LimiterFactory = (limit, name) => new RateLimiter(limit, Date.now, name)) {
    const r = { ...DEFAULT_VISITOR_RATES, ...rates };
    this.limiters = Object.fromEntries(Object.entries(r).map(([k, v]) => [k, make(v, k)])) as Record<keyof VisitorRates, Limiter>;
  }

  async frame(sessionId: string): Promise<boolean> {
    return this.limiters.frames.take(sessionId);
  }

  async newSession(ip: string): Promise<boolean> {
    return this.limiters.sessionsPerIp.take(ip);
  }

  /** Commands that make something at the vendor; other commands pass. */
  async command(type: string, sessionId: string, ip: string): Promise<boolean> {
    if (type === 'start') return (await this.limiters.startsPerSession.take(sessionId)) && this.limiters.startsPerIp.take(ip);
    if (type === 'leave-message') return (await this.limiters.leaveMessagesPerSession.take(sessionId)) && this.limiters.leaveMessagesPerIp.take(ip);
    return true;
  }

  sweep(): void {
    for (const l of Object.values(this.limiters)) l.sweep();
  }
}
