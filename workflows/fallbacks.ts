// Preference orders of channels (`channels: { prefer: [wechat, sms, phone], within: 2h }`): a
// message goes on the first channel; the next goes when that one failed for good, or when its
// receipt has not said "delivered" within the time; `phone`, last, is a call task for a person.
// This file holds what a journey waits for. Workflow code: deterministic, no I/O.
import type { DeliveryOutcome, SendMessageInput, SendMessageResult } from '../activities/messages.ts';
import type { CompiledPathway } from '../pathway/planner/index.ts';
import { afterQuietHours } from '../pathway/planner/time.ts';

/** A message whose channel has until `at` to deliver; the next channel of its order follows unless it does. */
export interface PendingFallback {
  message: SendMessageInput & { fallback: NonNullable<SendMessageInput['fallback']> };
  /** When the next channel goes (ISO 8601): the channel's time, moved out of quiet hours for routine messages. */
  at: string;
  /** The channel failed for good: the next goes at `at` without asking for a receipt. */
  failed?: true;
}

/** Why the next channel of an order went. */
export type FallbackReason = 'failed' | Exclude<DeliveryOutcome, 'delivered'>;

const MINUTE = 60_000;

/** The messages of a journey waiting on their channels' outcome; carried across continue-as-new. */
export class Fallbacks {
  constructor(
    private readonly pathway: CompiledPathway,
    readonly pending: PendingFallback[] = [],
  ) {}

  get count(): number {
    return this.pending.length;
  }

  /**
   * Takes a delivery's results: a message that failed for good moves on at once (out of quiet
   * hours), one sent on a channel that reports delivery waits for its receipt; a message whose
   * channel does not report delivery was delivered as far as anyone can know.
   */
  afterSend(messages: readonly SendMessageInput[], results: readonly SendMessageResult[] | undefined, nowMs: number): void {
    messages.forEach((message, i) => {
      const result = results?.[i];
      if (!message.fallback?.next.length || !result) return;
      const pending = { ...message, fallback: message.fallback };
      if (result.outcome === 'failed') this.pending.push({ message: pending, at: this.allowed(nowMs, message.urgent), failed: true });
      else if (result.awaitsReceipt) this.pending.push({ message: pending, at: this.allowed(nowMs + message.fallback.withinMinutes * MINUTE, message.urgent) });
    });
  }

  /** When the next of them is due (epoch ms), or null. */
  nextMs(): number | null {
    let next: number | null = null;
    for (const p of this.pending) {
      const ms = Date.parse(p.at);
      if (next === null || ms < next) next = ms;
    }
    return next;
  }

  /** Removes and returns those due at `nowMs`. */
  takeDue(nowMs: number): PendingFallback[] {
    const due = this.pending.filter((p) => Date.parse(p.at) <= nowMs);
    if (due.length) this.pending.splice(0, this.pending.length, ...this.pending.filter((p) => !due.includes(p)));
    return due;
  }

  /** Removes and returns all of them (the journey ended: nothing more goes out). */
  takeAll(): PendingFallback[] {
    return this.pending.splice(0, this.pending.length);
  }

  /** A routine message's next channel goes outside quiet hours; an urgent one at once. */
  private allowed(ms: number, urgent: boolean): string {
    const at = urgent ? ms : afterQuietHours(ms, this.pathway.timezone.offsetMinutes, this.pathway.quietHours);
    return new Date(at).toISOString();
  }
}

/** The message on the next channel of its order, or null when that channel is a person's call. */
export function nextMessage(message: PendingFallback['message']): SendMessageInput | null {
  const [channel, ...rest] = message.fallback.next;
  if (channel === undefined || channel === 'phone') return null;
  const { fallback, ...base } = message;
  return rest.length ? { ...base, channel, fallback: { ...fallback, next: rest } } : { ...base, channel };
}
