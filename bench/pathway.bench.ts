/**
 * Pathway benchmark: `npx tsx bench/pathway.bench.ts`. Prints compile time per pathway file
 * (pathways/, or the test fixtures while pathways/ is empty) and planner time per call over a
 * full 280-day pregnancy journey played the way the journey workflow plays it, with the
 * incremental planner next to a fresh plan per call and the planner as it was before.
 */
import { existsSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { compileFile } from '../pathway/compiler/compile.ts';
import { listPathwayFiles } from '../pathway/files.ts';
import { plan, Planner, projectTimeline } from '../pathway/planner/index.ts';
import { plan as referencePlan } from '../tests/pathway/reference-planner/plan.ts';
import type { CompiledPathway, JourneyState, OccurrenceRecord } from '../pathway/planner/index.ts';
import { formatTime, parseTime } from '../pathway/planner/time.ts';

const WARM_RUNS = 20;

function pathwayFiles(): { files: string[]; source: string } {
  const own = existsSync('pathways') ? listPathwayFiles(['pathways']).files : [];
  if (own.length) return { files: own, source: 'pathways/' };
  return { files: listPathwayFiles(['tests/pathway/fixtures/valid']).files, source: 'tests/pathway/fixtures/valid/ (pathways/ is empty)' };
}

function benchCompile(): CompiledPathway | undefined {
  const { files, source } = pathwayFiles();
  console.log(`compile — ${files.length} files from ${source}; cold = first compile in this process, warm = mean of ${WARM_RUNS}`);
  let pregnancy: CompiledPathway | undefined;
  for (const file of files) {
    const t0 = performance.now();
    const first = compileFile(file);
    const cold = performance.now() - t0;
    const t1 = performance.now();
    for (let i = 0; i < WARM_RUNS; i++) compileFile(file);
    const warm = (performance.now() - t1) / WARM_RUNS;
    const size = first.compiled ? JSON.stringify(first.compiled).length : 0;
    const status = first.compiled ? `${first.compiled.steps.length} steps, ${(size / 1024).toFixed(1)} KiB compiled` : `${first.diagnostics.length} errors`;
    console.log(`  ${file.padEnd(48)} cold ${cold.toFixed(1).padStart(7)} ms   warm ${warm.toFixed(2).padStart(6)} ms   ${status}`);
    if (first.compiled?.program === 'obstetrics' && !pregnancy) pregnancy = first.compiled;
  }
  return pregnancy;
}

type Planning = 'incremental' | 'one-shot' | 'reference';

/**
 * Plays a full journey the way the journey workflow plays it — plan, carry out what is due,
 * sleep until the next wake-up — with one planner kept for the journey (`incremental`, what the
 * workflow does), a fresh `plan()` per call (`one-shot`), or the planner as it was before the
 * incremental one (`reference`, tests/pathway/reference-planner). Times each plan call.
 */
function playJourney(pathway: CompiledPathway, planning: Planning): { times: number[]; actions: number } {
  const offset = pathway.timezone.offsetMinutes;
  const lmp = '2027-01-15';
  const state: JourneyState = {
    enrolledAt: `${lmp}T10:00:00+08:00`,
    anchors: { lmp },
    variables: { high_risk: true },
    events: [{ name: 'delivered', at: '2027-10-20T04:00:00+08:00' }],
    occurrences: {},
    readings: [],
  };
  const planner = new Planner(pathway, state);
  const planAt =
    planning === 'incremental'
      ? (now: string) => planner.plan(now)
      : planning === 'one-shot'
        ? (now: string) => plan(pathway, state, now)
        : (now: string) => referencePlan(pathway, state, now);
  let now = parseTime(state.enrolledAt, offset)!.ms;
  const times: number[] = [];
  let actions = 0;
  for (let i = 0; i < 10_000; i++) {
    const nowIso = formatTime(now, offset);
    const t0 = performance.now();
    const p = planAt(nowIso);
    times.push(performance.now() - t0);
    for (const a of p.due) {
      actions++;
      const data: OccurrenceRecord['data'] = a.produces?.['appointment_at']
        ? { appointment_at: formatTime(now + 3 * 86_400_000, offset) }
        : a.kind === 'questionnaire'
          ? { items: { q1: 1, q2: 1, q3: 0, q10: 0 } }
          : {};
      planner.update(a.key, { issuedAt: nowIso, completedAt: nowIso, data });
    }
    for (const s of p.skipped) planner.update(s.key, { skipped: s.reason });
    if (p.due.length || p.skipped.length) continue;
    if (!p.nextWakeAt) break;
    now = parseTime(p.nextWakeAt, offset)!.ms;
  }
  return { times, actions };
}

function benchPlanner(pathway: CompiledPathway): void {
  console.log(`planner — ${pathway.id}: full journey (LMP 2027-01-15 → postpartum 42 d), median of 5 plays each, alternating`);
  const modes: Planning[] = ['incremental', 'one-shot', 'reference'];
  const results = new Map<Planning, { mean: number; p95: number; max: number; total: number; calls: number; actions: number }[]>();
  for (let r = 0; r < 6; r++) {
    for (const mode of modes) {
      const { times, actions } = playJourney(pathway, mode);
      if (r === 0) continue; // warm-up
      const sorted = [...times].sort((a, b) => a - b);
      const total = times.reduce((s, t) => s + t, 0);
      results.set(mode, [
        ...(results.get(mode) ?? []),
        { mean: total / times.length, p95: sorted[Math.floor(0.95 * sorted.length)]!, max: sorted.at(-1)!, total, calls: times.length, actions },
      ]);
    }
  }
  const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  for (const mode of modes) {
    const rs = results.get(mode)!;
    const f = (k: 'mean' | 'p95' | 'max' | 'total') => med(rs.map((x) => x[k]));
    console.log(
      `  ${mode.padEnd(12)} ${rs[0]!.calls} calls, ${rs[0]!.actions} actions   per call: mean ${f('mean').toFixed(3)} ms   p95 ${f('p95').toFixed(3)} ms   max ${f('max').toFixed(3)} ms   planning per journey ${f('total').toFixed(1)} ms`,
    );
  }
  const t0 = performance.now();
  const projection = projectTimeline(pathway, { enrolledAt: '2027-01-15T10:00:00+08:00', anchors: { lmp: '2027-01-15' }, variables: { high_risk: true } });
  console.log(`  projectTimeline (carepath preview): ${(performance.now() - t0).toFixed(1)} ms for ${projection.entries.length} entries`);
}

const pregnancy = benchCompile();
if (pregnancy) benchPlanner(pregnancy);
else console.log('planner — no obstetrics pathway found to play a 280-day journey');
