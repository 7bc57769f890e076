/**
 * One call of the planner: given the occurrences that matter now (in planned-time order), says
 * what is due, what is skipped (and why), what to cancel, and when to wake up next.
 */
import type { CompiledStep, Urgency } from '../model/compiled.ts';
import type { Action, CancelReason, OccurrenceRecord, Plan, Skip, SkipReason } from '../model/journey.ts';
import { compareText, type PlanContext } from './context.ts';
import { balanceAt } from './entitlements.ts';
import { holds, type Occurrence } from './occurrences.ts';
import type { StageEnds } from './stage-ends.ts';
import { stageAt, type StageSpan } from './stages.ts';
import { afterQuietHours, formatTime, MINUTE, parseTime } from './time.ts';
import { followUpKey } from '../model/keys.ts';
import { AWAITED_KINDS, STAFF_COMPLETED_KINDS } from '../model/step-kinds.ts';

type Timing = { kind: 'due'; at: number } | { kind: 'held-up'; at: number } | { kind: 'wait' } | { kind: 'skip'; reason: SkipReason };

/** One plan call: considers occurrences in (planned time, key) order and collects the plan. */
export class PlanRun {
  private readonly due: Action[] = [];
  private readonly skipped: Skip[] = [];
  private readonly cancel: string[] = [];
  private readonly cancelReasons: Record<string, CancelReason> = {};
  private wake = Infinity;
  private heldUp = false;

  constructor(
    private readonly ctx: PlanContext,
    private readonly spans: StageSpan[],
    private readonly warnings: string[],
    private readonly vars: Record<string, unknown>,
    /** Entitlement uses so far; the run adds the ones it reserves. */
    private readonly uses: Map<string, number[]>,
    private readonly stageEnds: StageEnds | null = null,
    /**
     * The moment the journey was due to run this round (its last plan's wake-up, or the
     * enrolment), when the caller knows it: a window that closed after it closed because the
     * journey ran late — the platform was held up — not because of the patient or the pathway.
     */
    private readonly dueSince: number | null = null,
  ) {}

  consider(occ: Occurrence): void {
    const { ctx } = this;
    const rec = ctx.occurrences[occ.key];
    if (rec?.skipped || rec?.cancelledAt) return;
    if (rec?.issuedAt) return this.followUps(occ, rec);
    if (ctx.ended && occ.source !== `e:${ctx.ended.id}`) return;
    if (!occ.triggered && (occ.latest ?? occ.plannedAt) < ctx.enrolledAt) return this.skip(occ, 'late-enrolment');
    // A closing step (a survey, a hand-over) planned before the enrolment does not go in its minute.
    if (!occ.triggered && occ.step.timing.catchUp === 'skip' && occ.plannedAt < ctx.enrolledAt) return this.skip(occ, 'late-enrolment');
    // Nothing of an ended stage is issued; each is skipped once its time comes (no wake-up for it).
    if (this.stageEnds?.endOf(occ)) return occ.plannedAt <= ctx.now ? this.skip(occ, 'stage-ended') : undefined;
    const outcome = this.timing(occ.plannedAt, occ.step.urgency, occ.latest);
    if (outcome.kind === 'skip') return this.skip(occ, outcome.reason);
    if (outcome.kind === 'wait') return;
    if (occ.step.if && !holds(occ.step.if, this.vars, this.warnings)) return this.skip(occ, 'condition-false');
    const action = () => this.action(occ.key, 'issue', occ.step, occ.plannedAt, outcome.at, occ.step.urgency, occ.source);
    if (outcome.kind === 'held-up') {
      this.heldUp = true;
      // A person's task still goes, late (the worklist shows its planned time); what would have
      // reached the patient cannot go after its window and is handed to a person instead.
      if (!STAFF_COMPLETED_KINDS.has(occ.step.kind)) return this.skip(occ, 'held-up', action());
    }
    if (occ.step.consumes && !this.reserve(occ.step.consumes)) return this.skip(occ, 'entitlement-exhausted');
    this.due.push(action());
  }

  /** Reminders of an unanswered questionnaire, escalations of an open task; cancellation at exit. */
  private followUps(occ: Occurrence, rec: OccurrenceRecord): void {
    const { ctx } = this;
    const step = occ.step;
    if (rec.completedAt) return;
    if (ctx.ended) {
      if (AWAITED_KINDS.has(step.kind) && occ.source !== `e:${ctx.ended.id}`) this.cancel.push(occ.key);
      return;
    }
    const stageEnd = AWAITED_KINDS.has(step.kind) ? this.stageEnds?.endOf(occ) : undefined;
    if (stageEnd) {
      this.cancel.push(occ.key);
      this.cancelReasons[occ.key] = stageEnd;
      return;
    }
    const issued = parseTime(rec.issuedAt!, ctx.offset)?.ms;
    if (issued === undefined) return;
    const plans: { key: string; type: 'remind' | 'escalate'; at: number; urgency: Urgency; level?: number }[] = [];
    if (step.kind === 'questionnaire' && step.remind) {
      for (let i = 1; i <= step.remind.times; i++) {
        plans.push({ key: followUpKey(occ.key, 'remind', i), type: 'remind', at: issued + i * step.remind.after * MINUTE, urgency: step.urgency });
      }
    }
    if (step.kind === 'task' || step.kind === 'approval' || step.kind === 'escalation') {
      step.escalate.forEach((level, i) =>
        plans.push({ key: followUpKey(occ.key, 'escalate', i + 1), type: 'escalate', at: issued + level.after * MINUTE, urgency: level.urgency, level: i }),
      );
    }
    for (const p of plans) {
      const sub = ctx.occurrences[p.key];
      if (sub?.issuedAt || sub?.skipped || sub?.cancelledAt) continue;
      const outcome = this.timing(p.at, p.urgency, null);
      if (outcome.kind !== 'due') continue;
      const action = this.action(p.key, p.type, step, p.at, outcome.at, p.urgency, occ.key);
      if (p.level !== undefined && 'escalate' in step) {
        const level = step.escalate[p.level]!;
        action.role = level.role;
        action.channels = level.channels;
      }
      this.due.push(action);
    }
  }

  /**
   * Applies pauses, quiet hours and the window: due now (at), wait (noting the wake-up), skip, or
   * held up (its window closed, or will before it may go, because the journey ran late).
   */
  private timing(planned: number, urgency: Urgency, latest: number | null): Timing {
    const { ctx } = this;
    const { at: eff, paused } = this.effective(planned, urgency);
    if (planned <= ctx.now && latest !== null && (ctx.now > latest || eff > latest)) {
      if (!paused && this.missedWhileHeldUp(eff, latest)) return { kind: 'held-up', at: eff };
      return { kind: 'skip', reason: paused ? 'paused' : 'window-passed' };
    }
    if (eff > ctx.now) {
      this.noteWake(eff);
      return { kind: 'wait' };
    }
    if (urgency === 'routine') {
      // Late plan calls (an update arriving at night) must not send routine messages either.
      const nowEff = this.effective(ctx.now, urgency).at;
      if (nowEff > ctx.now) {
        // Held up into quiet hours that outlast the window: missed now, not at the next wake-up.
        if (latest !== null && nowEff > latest && this.missedWhileHeldUp(eff, latest)) return { kind: 'held-up', at: eff };
        this.noteWake(nowEff);
        return { kind: 'wait' };
      }
    }
    return { kind: 'due', at: eff };
  }

  /** Whether a journey running on time would have acted within the window: it was due by then. */
  private missedWhileHeldUp(eff: number, latest: number): boolean {
    const due = this.dueSince;
    return due !== null && due < this.ctx.now && Math.max(due, eff) <= latest;
  }

  /** The first moment a routine action may go: outside pauses and quiet hours. Urgent go at once. */
  private effective(t: number, urgency: Urgency): { at: number; paused: boolean } {
    if (urgency === 'urgent') return { at: t, paused: false };
    const { ctx } = this;
    let paused = false;
    for (let moved = true, guard = 0; moved && guard < 50 && t !== Infinity; guard++) {
      moved = false;
      for (const p of ctx.pauses) {
        if (t >= p.start && t < p.end) {
          t = p.end;
          moved = paused = true;
        }
      }
      const after = t === Infinity ? t : afterQuietHours(t, ctx.offset, ctx.pathway.quietHours);
      if (after !== t) {
        t = after;
        moved = true;
      }
    }
    return { at: t, paused };
  }

  private reserve(entitlement: string): boolean {
    const ent = this.ctx.pathway.entitlements[entitlement];
    if (!ent) return true;
    const uses = this.uses.get(entitlement) ?? [];
    if (ent.enforced !== false && balanceAt(this.ctx, ent, uses, this.ctx.now).remaining <= 0) return false;
    this.uses.set(entitlement, [...uses, this.ctx.now]);
    return true;
  }

  private skip(occ: Occurrence, reason: SkipReason, missed?: Action): void {
    const skip: Skip = { key: occ.key, step: occ.step.id, plannedAt: formatTime(occ.plannedAt, this.ctx.offset), reason };
    if (missed) skip.missed = missed;
    this.skipped.push(skip);
  }

  private noteWake(t: number): void {
    // Whole seconds: the wake-up is passed around as ISO text without milliseconds.
    const second = Math.ceil(t / 1000) * 1000;
    if (second > this.ctx.now && second < this.wake) this.wake = second;
  }

  private action(key: string, type: Action['type'], step: CompiledStep, planned: number, at: number, urgency: Urgency, source: string | undefined): Action {
    const offset = this.ctx.offset;
    const a: Action = { key, type, step: step.id, kind: step.kind, urgency, plannedAt: formatTime(planned, offset), at: formatTime(at, offset) };
    if (step.code) a.code = step.code;
    if (step.title) a.title = step.title;
    const stage = step.stage ?? stageAt(this.spans, planned);
    if (stage) a.stage = stage;
    if (source) a.source = source;
    if (step.consumes) a.consumes = step.consumes;
    switch (step.kind) {
      case 'message':
        Object.assign(a, { channels: step.channels, audience: step.audience, template: step.template });
        if (step.fallbackAfter !== undefined) a.fallbackAfter = step.fallbackAfter;
        break;
      case 'task':
      case 'approval':
      case 'escalation':
        a.role = step.role;
        if (step.template) a.template = step.template;
        if (step.sla !== undefined) a.slaMinutes = step.sla;
        if (step.escalate.length) a.escalation = step.escalate;
        if (step.kind === 'task' && Object.keys(step.produces).length) a.produces = step.produces;
        if (step.kind === 'escalation') Object.assign(a, { severity: step.severity, channels: step.channels });
        break;
      case 'questionnaire':
        Object.assign(a, { questionnaire: step.questionnaire, channels: step.channels });
        if (step.fallbackAfter !== undefined) a.fallbackAfter = step.fallbackAfter;
        break;
      case 'monitor':
        a.metric = step.metric;
        a.channels = step.channels;
        if (step.fallbackAfter !== undefined) a.fallbackAfter = step.fallbackAfter;
        if (step.template) a.template = step.template;
        break;
      case 'milestone':
        if (step.role) a.role = step.role;
        break;
    }
    return a;
  }

  result(): Plan {
    const { ctx } = this;
    const completed = ctx.spanEnd !== null && ctx.now > ctx.spanEnd;
    if (!ctx.ended && !completed) {
      // Stage changes and the end of the span change the journey's status without any action.
      for (const s of this.spans) {
        if (s.from !== null) this.noteWake(s.from);
        if (s.until !== null) this.noteWake(s.until + 1);
      }
      if (ctx.spanEnd !== null) this.noteWake(ctx.spanEnd + 1);
    }
    for (const t of ctx.futureEvents) this.noteWake(t);
    const pausedNow = ctx.pauses.some((p) => ctx.now >= p.start && ctx.now < p.end);
    const status = ctx.ended ? 'ended' : completed ? 'completed' : pausedNow ? 'paused' : 'active';
    const entitlements: Plan['entitlements'] = {};
    for (const [id, ent] of Object.entries(ctx.pathway.entitlements)) {
      entitlements[id] = balanceAt(ctx, ent, this.uses.get(id) ?? [], ctx.now);
    }
    const byTime =
      <T extends { key: string }>(at: (x: T) => string) =>
      (a: T, b: T) =>
        compareText(at(a), at(b)) || compareText(a.key, b.key);
    const plan: Plan = {
      status,
      due: this.due.sort(byTime((a) => a.at)),
      skipped: this.skipped.sort(byTime((s) => s.plannedAt)),
      cancel: this.cancel.sort(compareText),
      nextWakeAt: this.wake === Infinity ? null : formatTime(this.wake, ctx.offset),
      entitlements,
      warnings: [...new Set(this.warnings)].sort(compareText),
    };
    if (Object.keys(this.cancelReasons).length) plan.cancelReasons = this.cancelReasons;
    if (this.heldUp) plan.heldUp = true;
    const stage = stageAt(this.spans, ctx.now);
    if (stage) plan.stage = stage;
    return plan;
  }
}
