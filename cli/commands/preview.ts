/**
 * `carepath preview <pathway file or id> --anchor lmp=2027-01-15 [--anchor …] [--event delivered=2027-10-20]
 * [--var high_risk=true] [--now …] [--until …] [--scenario file.yaml] [--no-estimates] [--json] [--html out.html]`:
 * prints the timeline the planner produces for one imagined journey — the same planner the
 * journey workflow runs. A scenario says what staff and the patient do (booked times, items left
 * open, answers, refused approvals) and what happens when (events, corrections, readings).
 * `--html` writes the timeline as a self-contained page (pathway/preview/timeline-page.ts).
 */
import { existsSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { CarepathError } from '../../errors/carepath-error.ts';
import { compileFile } from '../../pathway/compiler/compile.ts';
import { renderDiagnostic } from '../../pathway/compiler/diagnostics.ts';
import { findPathwayById } from '../../pathway/files.ts';
import { loadScenarioFile } from '../scenario-file.ts';
import { timelinePage } from '../../pathway/preview/timeline-page.ts';
import { parseTime, projectTimeline, spanOf } from '../../pathway/planner/index.ts';
import type { CompiledPathway, JourneyState, Projection, TimelineEntry } from '../../pathway/planner/index.ts';

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      anchor: { type: 'string', multiple: true, default: [] },
      event: { type: 'string', multiple: true, default: [] },
      var: { type: 'string', multiple: true, default: [] },
      now: { type: 'string' },
      until: { type: 'string' },
      scenario: { type: 'string' },
      'no-estimates': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      html: { type: 'string' },
    },
    allowPositionals: true,
  });
  const target = positionals[0];
  if (!target || positionals.length > 1) {
    throw new CarepathError('usage', 'usage: carepath preview <pathway file or id> --anchor name=date [--anchor …] [--event name=time] [--now time] [--json]');
  }
  const file = resolvePathwayFile(target);
  const result = compileFile(file);
  if (!result.compiled) {
    for (const d of result.diagnostics) console.error(renderDiagnostic(d));
    throw new CarepathError('invalid-pathway', `${file} has ${result.diagnostics.length} error(s); run carepath validate ${file}`);
  }
  const pathway = result.compiled;
  const file_ = values.scenario ? loadScenarioFile(values.scenario, pathway) : undefined;
  // Flags win over the scenario file.
  const anchorArgs = [...Object.entries(file_?.anchors ?? {}).map(([k, v]) => `${k}=${v}`), ...values.anchor];
  const varArgs = [...Object.entries(file_?.variables ?? {}).map(([k, v]) => `${k}=${v}`), ...values.var];
  const state = journeyState(pathway, anchorArgs, values.event, varArgs, values.now ?? file_?.now);
  for (const t of [values.until].filter((x): x is string => !!x)) checkTime(pathway, t, '--until');
  const options = {
    assumeEstimates: !values['no-estimates'],
    ...(values.until ? { until: values.until } : {}),
    ...(file_ ? { scenario: file_.scenario } : {}),
  };
  const projection = projectTimeline(pathway, state, options);

  if (values.html) {
    writeFileSync(values.html, timelinePage({ pathway, projection, enrolledAt: state.enrolledAt, anchors: state.anchors, source: file }));
    console.log(`wrote ${values.html}: ${projection.entries.length} steps of ${pathway.id} v${pathway.version}, one page with no external assets`);
  } else if (values.json) console.log(JSON.stringify(projection.entries.map(jsonEntry), null, 2));
  else printTable(pathway, file, state, projection);
  return 0;
}

function resolvePathwayFile(target: string): string {
  if (existsSync(target)) return target;
  const found = findPathwayById(target);
  if (found[0]) return found[0];
  throw new CarepathError('pathway-not-found', `'${target}' is neither a file nor the id of a pathway under pathways/`);
}

function journeyState(pathway: CompiledPathway, anchorArgs: string[], eventArgs: string[], varArgs: string[], now: string | undefined): JourneyState {
  const anchors: Record<string, string> = {};
  for (const arg of anchorArgs) {
    const [name, value] = pair(arg, '--anchor');
    if (anchors[name] !== undefined) delete anchors[name];
    const anchor = pathway.anchors[name];
    if (!anchor)
      throw new CarepathError('unknown-anchor', `--anchor ${name}: the pathway has no anchor '${name}' (anchors: ${Object.keys(pathway.anchors).join(', ')})`);
    checkTime(pathway, value, `--anchor ${name}`);
    anchors[name] = value;
  }
  for (const [name, anchor] of Object.entries(pathway.anchors)) {
    if (anchor.required && !anchors[name]) {
      throw new CarepathError(
        'missing-anchor',
        `anchor '${name}' is required: add --anchor ${name}=${anchor.type === 'date' ? 'YYYY-MM-DD' : 'YYYY-MM-DDTHH:MM'}`,
      );
    }
  }
  const events = eventArgs.map((arg, i) => {
    const [name, at] = pair(arg, '--event');
    if (!pathway.events[name])
      throw new CarepathError(
        'unknown-event',
        `--event ${name}: the pathway has no event '${name}' (events: ${Object.keys(pathway.events).join(', ') || 'none'})`,
      );
    checkTime(pathway, at, `--event ${name}`);
    return { id: String(i + 1), name, at };
  });
  const variables: Record<string, boolean | number | string> = {};
  for (const arg of varArgs) {
    const [name, raw] = pair(arg, '--var');
    const declared = pathway.variables[name];
    if (!declared) throw new CarepathError('unknown-variable', `--var ${name}: the pathway declares no variable '${name}'`);
    variables[name] = declared.type === 'bool' ? raw === 'true' : declared.type === 'string' ? raw : Number(raw);
  }
  const enrolledAt = now ?? spanOf(pathway, anchors).start;
  if (!enrolledAt) throw new CarepathError('missing-anchor', 'cannot tell when the journey starts: give --now or the anchor the span starts from');
  checkTime(pathway, enrolledAt, '--now');
  return { enrolledAt, anchors, events, variables };
}

function pair(arg: string, flag: string): [string, string] {
  const i = arg.indexOf('=');
  if (i <= 0) throw new CarepathError('usage', `${flag} expects name=value, got '${arg}'`);
  return [arg.slice(0, i), arg.slice(i + 1)];
}

function checkTime(pathway: CompiledPathway, value: string, what: string): void {
  if (!parseTime(value, pathway.timezone.offsetMinutes)) {
    throw new CarepathError('invalid-time', `${what}: '${value}' is not a date (YYYY-MM-DD) or ISO date-time`);
  }
}

/** One row of `carepath preview --json`. */
export function jsonEntry(e: TimelineEntry): Record<string, unknown> {
  return {
    at: e.at,
    stage: e.stage ?? null,
    step: e.step,
    key: e.key,
    kind: e.kind,
    code: e.code ?? null,
    title: e.title ?? null,
    role: e.role ?? null,
    channels: e.channels ?? null,
    ...(e.fallbackAfter !== undefined ? { fallback_after_minutes: e.fallbackAfter } : {}),
    urgency: e.urgency ?? null,
    age: e.age ?? null,
    status: e.status,
    planned_at: e.plannedAt ?? e.at,
    ...(e.reason ? { reason: e.reason } : {}),
  };
}

/** A step's channels: `wechat,sms` (each), or `wechat>sms>phone/2h` (a preference order). */
function channelsCell(e: TimelineEntry): string {
  if (!e.channels) return '';
  return e.fallbackAfter === undefined ? e.channels.join(',') : `${e.channels.join('>')}/${formatMinutes(e.fallbackAfter)}`;
}

function formatMinutes(minutes: number): string {
  if (minutes % 1440 === 0) return `${minutes / 1440}d`;
  return minutes % 60 === 0 ? `${minutes / 60}h` : `${minutes}min`;
}

function printTable(pathway: CompiledPathway, file: string, state: JourneyState, p: Projection): void {
  console.log(`${pathway.id} v${pathway.version} (${file}, sha256 ${pathway.hash.slice(0, 12)}) — ${pathway.title}`);
  console.log(
    `time zone ${pathway.timezone.name}; enrolled ${state.enrolledAt}; anchors ${Object.entries(state.anchors)
      .map(([k, v]) => `${k}=${v}`)
      .join(', ')}`,
  );
  if (p.estimated.length) console.log(`assumed (estimate): ${p.estimated.join('; ')}`);
  console.log('');
  const ageHeader = pathway.ageDisplay?.style === 'cycle-day' ? 'day' : pathway.ageDisplay ? 'age' : '';
  const rows = p.entries.map((e) => [
    e.at.slice(0, 16).replace('T', ' '),
    e.age ?? '',
    e.stage ?? '',
    e.key,
    clip(e.title ?? '', 30),
    e.kind,
    e.role ?? channelsCell(e),
    note(e),
  ]);
  const header = ['time', ageHeader, 'stage', 'step', 'title', 'kind', 'who', 'note'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => width(r[i]!))));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c + ' '.repeat(widths[i]! - width(c)))
      .join('  ')
      .trimEnd();
  console.log(line(header));
  for (const r of rows) console.log(line(r));
  if (p.notProjected.length) {
    console.log('');
    console.log('not on this timeline:');
    for (const n of p.notProjected) console.log(`  ${n.step}: ${n.why}`);
  }
  console.log('');
  const cancelled = p.entries.filter((e) => e.status === 'cancelled').length;
  console.log(
    `${p.entries.filter((e) => e.status === 'planned').length} planned, ${p.entries.filter((e) => e.status === 'skipped').length} skipped${cancelled ? `, ${cancelled} cancelled` : ''}; journey ${p.status}`,
  );
}

/** At most `max` display columns (CJK counts two), with an ellipsis when cut. */
function clip(text: string, max: number): string {
  if (width(text) <= max) return text;
  let out = '';
  for (const ch of text) {
    if (width(out + ch) > max - 1) break;
    out += ch;
  }
  return `${out}…`;
}

function note(e: TimelineEntry): string {
  if (e.status === 'skipped') return `skipped: ${e.reason}`;
  if (e.status === 'cancelled') return `cancelled${e.reason ? `: ${e.reason}` : ''}`;
  if (e.status === 'recorded') return 'recorded';
  const notes = e.urgency === 'urgent' ? ['urgent'] : [];
  if (e.plannedAt && e.plannedAt !== e.at) notes.push(`planned ${e.plannedAt.slice(0, 16).replace('T', ' ')}`);
  return notes.join(', ');
}

/** Display width: CJK characters take two columns. */
function width(text: string): number {
  let w = 0;
  for (const ch of text) w += /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/.test(ch) ? 2 : 1;
  return w;
}
