/** Shared helpers for the program tests: the shipped pathways under pathways/, compiled and projected. */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { jsonEntry } from '../../cli/commands/preview.ts';
import { compileFile } from '../../pathway/compiler/compile.ts';
import { renderDiagnostic } from '../../pathway/compiler/diagnostics.ts';
import { parseTime, plan, projectTimeline, spanOf } from '../../pathway/planner/index.ts';
import type { CompiledPathway, JourneyState, Projection, TimelineEntry } from '../../pathway/planner/index.ts';

export const REPO = fileURLToPath(new URL('../../', import.meta.url));
export const GOLDEN = fileURLToPath(new URL('./golden/', import.meta.url));
export const OFFSET = 480; // Asia/Shanghai, minutes

/** Every program the issue asks for, with the sample patient its golden preview uses. */
export const PROGRAMS = {
  'full-pregnancy': { file: 'pathways/obstetrics/full-pregnancy.yaml', anchors: { lmp: '2027-01-15' }, vars: {} },
  'mid-pregnancy': { file: 'pathways/obstetrics/mid-pregnancy.yaml', anchors: { lmp: '2027-01-15' }, vars: {} },
  'late-pregnancy': { file: 'pathways/obstetrics/late-pregnancy.yaml', anchors: { lmp: '2027-01-15' }, vars: {} },
  'post-checkup-premium': { file: 'pathways/post-checkup/premium.yaml', anchors: { checkup: '2027-03-01' }, vars: SAMPLE_CHECKUP() },
  'post-checkup-basic': { file: 'pathways/post-checkup/basic.yaml', anchors: { checkup: '2027-03-01' }, vars: SAMPLE_CHECKUP() },
  'ivf-cycle': { file: 'pathways/reproductive/ivf-cycle.yaml', anchors: { cycle_start: '2027-03-01', next_birthday: '2027-03-20' }, vars: {} },
  'diabetes-home': { file: 'pathways/chronic/diabetes-home.yaml', anchors: { enrolled_on: '2027-03-01' }, vars: {} },
} as const satisfies Record<string, { file: string; anchors: Record<string, string>; vars: Record<string, string | number | boolean> }>;

export type ProgramName = keyof typeof PROGRAMS;

/** A checkup with raised BP, impaired fasting glucose, raised LDL, overweight and a C-TIRADS 3 nodule. */
function SAMPLE_CHECKUP(): Record<string, string | number | boolean> {
  return { sbp: 148, dbp: 92, fasting_glucose: 6.4, ldl: 4.3, tg: 1.8, alt: 35, uric_acid: 380, bmi: 26.1, thyroid_ctirads: '3' };
}

const cache = new Map<string, CompiledPathway>();

/** Compiles a shipped pathway (path relative to the repository) and fails loudly on errors. */
export function compiledProgram(file: string): CompiledPathway {
  const hit = cache.get(file);
  if (hit) return hit;
  const result = compileFile(`${REPO}${file}`);
  if (!result.compiled) throw new Error(result.diagnostics.map(renderDiagnostic).join('\n'));
  cache.set(file, result.compiled);
  return result.compiled;
}

export function program(name: ProgramName): CompiledPathway {
  return compiledProgram(PROGRAMS[name].file);
}

/** The journey `carepath preview --anchor … --var …` simulates: enrolled at the start of the span. */
export function previewState(name: ProgramName): JourneyState {
  const p = PROGRAMS[name];
  const pathway = program(name);
  const anchors: Record<string, string> = { ...p.anchors };
  return { enrolledAt: spanOf(pathway, anchors).start!, anchors, events: [], variables: { ...p.vars } };
}

export function previewJson(name: ProgramName): Record<string, unknown>[] {
  return projectTimeline(program(name), previewState(name)).entries.map(jsonEntry);
}

/** Compares with tests/programs/golden/<name>.json; `UPDATE_GOLDEN=1` rewrites the file instead. */
export function expectGolden(name: string, actual: unknown): void {
  const file = `${GOLDEN}${name}.json`;
  const text = `${JSON.stringify(actual, null, 2)}\n`;
  if (process.env['UPDATE_GOLDEN'] === '1' || !existsSync(file)) {
    mkdirSync(GOLDEN, { recursive: true });
    writeFileSync(file, text);
    if (process.env['UPDATE_GOLDEN'] !== '1') throw new Error(`golden ${name}.json was missing and has been written: review it and run again`);
    return;
  }
  expect(JSON.parse(text)).toEqual(JSON.parse(readFileSync(file, 'utf8')));
}

/** Runs the real CLI. */
export function carepath(args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [`${REPO}bin/carepath.js`, ...args], { cwd: REPO, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

// ---------------------------------------------------------------- time helpers (Asia/Shanghai)

export const ms = (iso: string): number => {
  const t = parseTime(iso, OFFSET);
  if (!t) throw new Error(`not a time: ${iso}`);
  return t.ms;
};
export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;
/** Local clock minutes after midnight of an ISO instant. */
export const localMinutes = (iso: string): number => (((ms(iso) / 60_000 + OFFSET) % 1_440) + 1_440) % 1_440;
/** Days between two ISO times' local calendar days. */
export const dayDiff = (from: string, to: string): number =>
  Math.round(Math.floor((ms(to) / 60_000 + OFFSET) / 1_440) - Math.floor((ms(from) / 60_000 + OFFSET) / 1_440));
/** Gestational age `w+d` → day index. */
export const gaDays = (label: string): number => {
  const [w, d] = label.split('+').map(Number);
  return w! * 7 + d!;
};
/** Local date `YYYY-MM-DD` plus n days. */
export function addDays(date: string, n: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

/** The first entry of a step in a projection. */
export function entry(p: Projection, key: string): TimelineEntry {
  const e = p.entries.find((x) => x.key === key);
  if (!e) throw new Error(`no entry ${key}; have ${p.entries.map((x) => x.key).join(', ')}`);
  return e;
}

/** Due actions of some steps only. */
export const dueOf = (p: ReturnType<typeof plan>, ...steps: string[]) => p.due.filter((a) => steps.includes(a.step));

export { plan, projectTimeline };
export type { CompiledPathway, JourneyState, Projection, TimelineEntry };
