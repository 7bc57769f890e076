import type { Kysely } from 'kysely';
import type { Database } from '../../db/database.ts';
import {
  bookedAppointments,
  inquiriesAsked,
  questionnairesIssued,
  sentMessages,
  tasksDue,
  tasksWithCodesCreated,
  type KpiPeriod,
} from '../../db/repositories/kpi.ts';
import { findPathwayVersion } from '../../db/repositories/pathway-versions.ts';
import { parseTime, type CompiledPathway } from '../../pathway/planner/index.ts';
import type { PathwayRegistry } from '../../pathway/registry.ts';
import { occurrenceKey, parseKey, parseMessageKey, splitKey } from '../../pathway/model/keys.ts';

/** Codes of proactive follow-up tasks (call-backs, satisfaction calls). */
export const FOLLOW_UP_CODES = ['followup-call', 'satisfaction-survey'] as const;
/** Code of the messages that announce a booked visit. */
export const ADVANCE_NOTICE_CODE = 'advance-notice';
const RESPONSE_TARGET_MINUTES = 30;
const MINUTE = 60_000;

export interface KpiFigures {
  /** Booked appointments (in the period) announced by an advance-notice message sent before them. */
  advanceNotice: { nodes: number; announced: number; rate: number | null };
  /** Tasks due in the period (and by now) completed by their due time. */
  taskOnTime: { due: number; onTime: number; rate: number | null };
  /** Inquiries asked in the period: minutes to answer (answered ones), shares within 30 min and by the target. */
  inquiryResponse: {
    asked: number;
    answered: number;
    p50Minutes: number | null;
    p90Minutes: number | null;
    maxMinutes: number | null;
    within30MinRate: number | null;
    withinTargetRate: number | null;
  };
  /** Follow-up tasks created in the period that were completed. */
  followUpCompletion: { due: number; completed: number; rate: number | null };
  /** Questionnaires issued in the period that were answered. */
  questionnaireResponse: { issued: number; answered: number; rate: number | null };
}

export interface KpiReport {
  from: string;
  to: string;
  program: string | null;
  generatedAt: string;
  overall: KpiFigures;
  byProgram: (KpiFigures & { program: string })[];
  byButler: (KpiFigures & { butler: string })[];
}

/** Facts of one kind, each tagged with the group it counts for. */
interface Tagged<T> {
  program: string;
  butler: string;
  fact: T;
}

interface Facts {
  nodes: Tagged<{ announced: boolean }>[];
  tasks: Tagged<{ onTime: boolean }>[];
  inquiries: Tagged<{ minutes: number | null; within30: boolean | null; withinTarget: boolean | null }>[];
  followUps: Tagged<{ completed: boolean }>[];
  questionnaires: Tagged<{ answered: boolean }>[];
}

/** Butler label of enrolments without one. */
export const NO_BUTLER = '(none)';

/** Computes the report for a period: overall, per program (pathway) and per butler of the enrolment. */
export async function computeKpiReport(db: Kysely<Database>, registry: PathwayRegistry, period: KpiPeriod, now = new Date()): Promise<KpiReport> {
  const facts = await collectFacts(db, registry, period, now);
  const groups = (key: 'program' | 'butler') => [...new Set(Object.values(facts).flatMap((list: Tagged<unknown>[]) => list.map((t) => t[key])))].sort();
  const only = (key: 'program' | 'butler', value: string): Facts => ({
    nodes: facts.nodes.filter((t) => t[key] === value),
    tasks: facts.tasks.filter((t) => t[key] === value),
    inquiries: facts.inquiries.filter((t) => t[key] === value),
    followUps: facts.followUps.filter((t) => t[key] === value),
    questionnaires: facts.questionnaires.filter((t) => t[key] === value),
  });
  return {
    from: period.from.toISOString(),
    to: period.to.toISOString(),
    program: period.program ?? null,
    generatedAt: now.toISOString(),
    overall: figures(facts),
    byProgram: groups('program').map((program) => ({ program, ...figures(only('program', program)) })),
    byButler: groups('butler').map((butler) => ({ butler, ...figures(only('butler', butler)) })),
  };
}

async function collectFacts(db: Kysely<Database>, registry: PathwayRegistry, period: KpiPeriod, now: Date): Promise<Facts> {
  const tag = <T>(row: { pathway_id: string; butler_id: string | null }, fact: T): Tagged<T> => ({
    program: row.pathway_id,
    butler: row.butler_id ?? NO_BUTLER,
    fact,
  });
  const pathways = pathwayCache(db, registry);
  const nowMs = now.getTime();

  // Advance notice: each booked appointment in the period, and the notices that follow its step.
  const booked = await bookedAppointments(db, period);
  const nodes: { row: (typeof booked)[number]; at: number; noticeSteps: string[]; noticeKeys: string[] }[] = [];
  for (const row of booked) {
    const pathway = await pathways(row.pathway_id, row.pathway_version);
    const at = pathway ? parseTime(row.appointment_at, pathway.timezone.offsetMinutes)?.ms : Date.parse(row.appointment_at);
    if (at === undefined || Number.isNaN(at) || at < period.from.getTime() || at >= period.to.getTime()) continue;
    const occurrence = splitKey(row.occurrence_key)?.rest;
    if (occurrence === undefined) continue;
    const noticeSteps = (pathway?.steps ?? []).filter(
      (s) => s.code === ADVANCE_NOTICE_CODE && s.origin.type === 'dependent' && s.origin.source === row.step_id,
    );
    nodes.push({ row, at, noticeSteps: noticeSteps.map((s) => s.id), noticeKeys: noticeSteps.map((s) => occurrenceKey(s.id, occurrence)) });
  }
  const noticeStepIds = [...new Set(nodes.flatMap((n) => n.noticeSteps))];
  const sent = await sentMessages(db, [...new Set(nodes.map((n) => n.row.enrollment_id))], noticeStepIds);
  // A notice counts on any channel, and so does its reminder (`…/remind-1`).
  const sentOccurrences = sent
    .filter((m) => m.sent_at !== null)
    .map((m) => ({ parsed: parseMessageKey(m.idempotency_key), at: m.sent_at!.getTime() }))
    .map(({ parsed, at }) => ({ enrollmentId: parsed?.enrollmentId, occurrence: parsed ? parseKey(parsed.key)?.occurrence : undefined, at }));
  const announcedBefore = (enrollmentId: string, key: string, at: number) =>
    sentOccurrences.some((m) => m.enrollmentId === enrollmentId && m.occurrence === key && m.at < at);

  return {
    nodes: nodes.map((n) => tag(n.row, { announced: n.noticeKeys.some((k) => announcedBefore(n.row.enrollment_id, k, n.at)) })),
    tasks: (await tasksDue(db, period))
      .filter((t) => t.due_at!.getTime() <= nowMs)
      .map((t) => tag(t, { onTime: t.status === 'done' && t.completed_at !== null && t.completed_at.getTime() <= t.due_at!.getTime() })),
    inquiries: (await inquiriesAsked(db, period)).map((i) => {
      const asked = i.asked_at.getTime();
      const answered = i.answered_at?.getTime() ?? null;
      const minutes = answered === null ? null : (answered - asked) / MINUTE;
      const settled = (deadline: number) => answered !== null || nowMs >= deadline;
      const within30 = settled(asked + RESPONSE_TARGET_MINUTES * MINUTE) ? minutes !== null && minutes <= RESPONSE_TARGET_MINUTES : null;
      const withinTarget = settled(i.due_at.getTime()) ? answered !== null && answered <= i.due_at.getTime() : null;
      return tag(i, { minutes, within30, withinTarget });
    }),
    followUps: (await tasksWithCodesCreated(db, period, FOLLOW_UP_CODES)).map((t) => tag(t, { completed: t.status === 'done' })),
    questionnaires: (await questionnairesIssued(db, period)).map((q) => tag(q, { answered: Boolean(q.answered) })),
  };
}

function figures(f: Facts): KpiFigures {
  const minutes = f.inquiries
    .map((i) => i.fact.minutes)
    .filter((m): m is number => m !== null)
    .sort((a, b) => a - b);
  const within30 = f.inquiries.map((i) => i.fact.within30).filter((x): x is boolean => x !== null);
  const withinTarget = f.inquiries.map((i) => i.fact.withinTarget).filter((x): x is boolean => x !== null);
  const count = <T>(list: Tagged<T>[], test: (fact: T) => boolean) => list.filter((t) => test(t.fact)).length;
  return {
    advanceNotice: {
      nodes: f.nodes.length,
      announced: count(f.nodes, (n) => n.announced),
      rate: rate(
        count(f.nodes, (n) => n.announced),
        f.nodes.length,
      ),
    },
    taskOnTime: {
      due: f.tasks.length,
      onTime: count(f.tasks, (t) => t.onTime),
      rate: rate(
        count(f.tasks, (t) => t.onTime),
        f.tasks.length,
      ),
    },
    inquiryResponse: {
      asked: f.inquiries.length,
      answered: minutes.length,
      p50Minutes: percentile(minutes, 50),
      p90Minutes: percentile(minutes, 90),
      maxMinutes: minutes.length ? round(minutes.at(-1)!, 1) : null,
      within30MinRate: rate(within30.filter(Boolean).length, within30.length),
      withinTargetRate: rate(withinTarget.filter(Boolean).length, withinTarget.length),
    },
    followUpCompletion: {
      due: f.followUps.length,
      completed: count(f.followUps, (t) => t.completed),
      rate: rate(
        count(f.followUps, (t) => t.completed),
        f.followUps.length,
      ),
    },
    questionnaireResponse: {
      issued: f.questionnaires.length,
      answered: count(f.questionnaires, (q) => q.answered),
      rate: rate(
        count(f.questionnaires, (q) => q.answered),
        f.questionnaires.length,
      ),
    },
  };
}

/** Nearest-rank percentile of ascending values (the smallest value with at least p % at or below it). */
export function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return round(sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!, 1);
}

function rate(numerator: number, denominator: number): number | null {
  return denominator === 0 ? null : round(numerator / denominator, 4);
}

function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

/** Compiled pathways by id and version: stored versions first, the offered ones as a fallback. */
function pathwayCache(db: Kysely<Database>, registry: PathwayRegistry) {
  const cache = new Map<string, Promise<CompiledPathway | undefined>>();
  return (id: string, version: string) => {
    const key = `${id}@${version}`;
    if (!cache.has(key)) {
      cache.set(
        key,
        findPathwayVersion(db, id, version).then((p) => p ?? (registry.get(id)?.version === version ? registry.get(id) : undefined)),
      );
    }
    return cache.get(key)!;
  };
}
