// Pacing of routine messages (`pacing: { per_day: 2, gap: 2h }`): a patient gets at most so many
// routine messages a local day, so far apart at least; the others wait their turn, in order,
// out of quiet hours. An EDD corrected today does not send two pushes two minutes apart, and a
// journey catching up does not send a burst. Urgent messages are never held. Workflow code:
// deterministic, no I/O.
import type { SendMessageInput } from '../activities/messages.ts';
import type { CompiledPathway } from '../pathway/planner/index.ts';
import { afterQuietHours, startOfLocalDay } from '../pathway/planner/time.ts';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

/** One occurrence's messages (one per channel) held until `at` (ISO 8601). */
export interface HeldMessages {
  occurrenceKey: string;
  messages: SendMessageInput[];
  at: string;
}

/** What pacing remembers across continue-as-new: the turns taken (sent, or promised to a held message), and what waits. */
export interface PacingState {
  turns: string[];
  held: HeldMessages[];
}

/** Whether pacing counts a message: a routine one to the patient. */
function paced(message: SendMessageInput): boolean {
  return !message.urgent && message.audience === 'patient';
}

/** The routine messages of a journey and their turns. */
export class Pacing {
  private readonly turns: number[];
  readonly held: HeldMessages[];

  constructor(
    private readonly pathway: CompiledPathway,
    state?: PacingState,
  ) {
    this.turns = (state?.turns ?? []).map((t) => Date.parse(t));
    this.held = [...(state?.held ?? [])];
  }

  /** The pathway declares pacing (a journey without it issues nothing new). */
  get active(): boolean {
    return this.pathway.pacing !== undefined;
  }

  get heldCount(): number {
    return this.held.length;
  }

  /**
   * Gives each occurrence among `messages` a turn: those whose turn is now go, the others are
   * held (returned, for the timeline). All channels of one occurrence are one message to her.
   */
  admit(messages: readonly SendMessageInput[], nowMs: number): { go: SendMessageInput[]; held: HeldMessages[] } {
    if (!this.active) return { go: [...messages], held: [] };
    const go: SendMessageInput[] = [];
    const held: HeldMessages[] = [];
    const groups = new Map<string, SendMessageInput[]>();
    for (const m of messages) {
      if (!paced(m)) go.push(m);
      else groups.set(m.occurrenceKey, [...(groups.get(m.occurrenceKey) ?? []), m]);
    }
    this.forget(nowMs);
    for (const [occurrenceKey, group] of groups) {
      const turn = this.nextTurn(nowMs);
      this.turns.push(turn);
      if (turn <= nowMs) go.push(...group);
      else held.push({ occurrenceKey, messages: group, at: new Date(turn).toISOString() });
    }
    this.held.push(...held);
    return { go, held };
  }

  /** When the next held message's turn comes (epoch ms), or null. */
  nextMs(): number | null {
    let next: number | null = null;
    for (const h of this.held) {
      const ms = Date.parse(h.at);
      if (next === null || ms < next) next = ms;
    }
    return next;
  }

  /** Removes and returns the held messages whose turn has come. */
  takeDue(nowMs: number): HeldMessages[] {
    const due = this.held.filter((h) => Date.parse(h.at) <= nowMs);
    if (due.length) this.held.splice(0, this.held.length, ...this.held.filter((h) => !due.includes(h)));
    return due;
  }

  /** Removes and returns all held messages (the journey exited: they never go). */
  takeAll(): HeldMessages[] {
    return this.held.splice(0, this.held.length);
  }

  get state(): PacingState {
    return { turns: this.turns.map((t) => new Date(t).toISOString()), held: [...this.held] };
  }

  /** The earliest turn from `fromMs`: the gap after the last turn, out of quiet hours, in a local day with a turn left. */
  private nextTurn(fromMs: number): number {
    const { perDay, gapMinutes } = this.pathway.pacing ?? {};
    const offset = this.pathway.timezone.offsetMinutes;
    const last = this.turns.length ? Math.max(...this.turns) : null;
    let at = last !== null && gapMinutes ? Math.max(fromMs, last + gapMinutes * MINUTE) : fromMs;
    for (;;) {
      at = afterQuietHours(at, offset, this.pathway.quietHours);
      const day = startOfLocalDay(at, offset);
      if (!perDay || this.turns.filter((t) => t >= day && t < day + DAY).length < perDay) return at;
      at = day + DAY;
    }
  }

  /** Turns older than two days no longer count (a day's cap, the last turn's gap). */
  private forget(nowMs: number): void {
    const kept = this.turns.filter((t) => t > nowMs - 2 * DAY);
    this.turns.splice(0, this.turns.length, ...kept);
  }
}
