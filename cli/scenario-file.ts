/**
 * Scenario files for `carepath preview --scenario`: YAML checked against
 * schemas/scenario.schema.json and against the pathway (its steps, events, anchors, variables),
 * every problem reported as `file:line:col: error: message`.
 */
import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { CarepathError } from '../errors/carepath-error.ts';
import { renderDiagnostic, type Diagnostic } from '../pathway/compiler/diagnostics.ts';
import { Locator, parseSource, type Path } from '../pathway/compiler/source.ts';
import { didYouMean } from '../pathway/compiler/suggest.ts';
import { parseTime, type CompiledPathway } from '../pathway/planner/index.ts';
import { durationMinutes, type Scenario } from '../pathway/planner/scenario.ts';
import { stepIdOfKey } from '../pathway/model/keys.ts';

const SCHEMA = JSON.parse(readFileSync(new URL('../schemas/scenario.schema.json', import.meta.url), 'utf8')) as object;
const validate = new Ajv2020({ allErrors: true, strict: false }).compile(SCHEMA);

export interface ScenarioFile {
  scenario: Scenario;
  anchors: Record<string, string>;
  variables: Record<string, boolean | number | string>;
  now?: string;
}

/** Reads and checks a scenario file; throws a CarepathError listing every problem with its position. */
export function loadScenarioFile(file: string, pathway: CompiledPathway): ScenarioFile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new CarepathError('usage', `--scenario ${file}: ${(err as Error).message}`);
  }
  const { source, diagnostics } = parseSource(file, text);
  const problems: Diagnostic[] = [...diagnostics];
  if (source) {
    const locator = new Locator(source);
    const report = (path: Path, message: string, key = false) => problems.push({ file, ...locator.position(path, { key }), rule: 'scenario', message });
    if (!validate(source.value)) {
      for (const e of validate.errors ?? []) {
        const path = e.instancePath
          .split('/')
          .slice(1)
          .map((s) => (/^\d+$/.test(s) ? Number(s) : s.replace(/~1/g, '/').replace(/~0/g, '~')));
        const extra = e.keyword === 'additionalProperties' ? ` '${(e.params as { additionalProperty: string }).additionalProperty}'` : '';
        if (e.keyword !== 'oneOf' || path.length) report(path, `${e.message ?? 'invalid'}${extra}`);
      }
    } else checkAgainstPathway(source.value as RawScenario, pathway, report);
  }
  if (problems.length) {
    throw new CarepathError('invalid-scenario', `${problems.map(renderDiagnostic).join('\n')}\n${file}: ${problems.length} problem(s) in the scenario`);
  }
  const raw = source!.value as RawScenario;
  const scenario: Scenario = {};
  if (raw.steps) scenario.steps = raw.steps;
  if (raw.changes) scenario.changes = raw.changes as Scenario['changes'];
  return { scenario, anchors: raw.anchors ?? {}, variables: raw.variables ?? {}, ...(raw.now ? { now: raw.now } : {}) };
}

interface RawScenario {
  anchors?: Record<string, string>;
  now?: string;
  variables?: Record<string, boolean | number | string>;
  steps?: Scenario['steps'];
  changes?: { at: string; event?: string; anchor?: string; variable?: string; value?: unknown; reading?: { metric: string } }[];
}

function checkAgainstPathway(raw: RawScenario, pathway: CompiledPathway, report: (path: Path, message: string, key?: boolean) => void): void {
  const offset = pathway.timezone.offsetMinutes;
  const time = (value: string, path: Path) => {
    if (!parseTime(value, offset)) report(path, `'${value}' is not a date (YYYY-MM-DD) or ISO date-time`);
  };
  const stepIds = pathway.steps.map((s) => s.id);
  for (const [name, value] of Object.entries(raw.anchors ?? {})) {
    if (!pathway.anchors[name]) report(['anchors', name], `the pathway has no anchor '${name}'${didYouMean(name, Object.keys(pathway.anchors))}`, true);
    else time(value, ['anchors', name]);
  }
  if (raw.now) time(raw.now, ['now']);
  for (const name of Object.keys(raw.variables ?? {})) {
    if (!pathway.variables[name])
      report(['variables', name], `the pathway declares no variable '${name}'${didYouMean(name, Object.keys(pathway.variables))}`, true);
  }
  for (const [key, response] of Object.entries(raw.steps ?? {})) {
    const id = stepIdOfKey(key) ?? key;
    const step = pathway.steps.find((s) => s.id === id);
    if (!step) {
      report(['steps', key], `the pathway has no step '${id}'${didYouMean(id, stepIds)}`, true);
      continue;
    }
    if (response.complete !== undefined && response.complete !== 'at-once' && response.complete !== 'never' && durationMinutes(response.complete) === null) {
      report(['steps', key, 'complete'], `'complete' is at-once, never or a delay such as 2d or 3h, not '${response.complete}'`);
    }
    if (response.data && step.kind === 'task') {
      for (const field of Object.keys(response.data)) {
        if (!(field in step.produces))
          report(
            ['steps', key, 'data', field],
            `step '${id}' produces no '${field}'${Object.keys(step.produces).length ? ` (it produces ${Object.keys(step.produces).join(', ')})` : ''}`,
            true,
          );
      }
    }
    if (response.answers && step.kind === 'questionnaire') {
      const items = pathway.questionnaires[step.questionnaire]?.items ?? [];
      for (const item of Object.keys(response.answers))
        if (!items.includes(item)) report(['steps', key, 'answers', item], `questionnaire '${step.questionnaire}' has no item '${item}'`, true);
    }
    if (response.answers && step.kind !== 'questionnaire') report(['steps', key, 'answers'], `step '${id}' is a ${step.kind}, not a questionnaire`, true);
    if (response.approved !== undefined && step.kind !== 'approval')
      report(['steps', key, 'approved'], `step '${id}' is a ${step.kind}, not an approval`, true);
  }
  (raw.changes ?? []).forEach((c, i) => {
    time(c.at, ['changes', i, 'at']);
    if (c.event !== undefined && !pathway.events[c.event])
      report(['changes', i, 'event'], `the pathway has no event '${c.event}'${didYouMean(c.event, Object.keys(pathway.events))}`);
    if (c.anchor !== undefined) {
      if (!pathway.anchors[c.anchor])
        report(['changes', i, 'anchor'], `the pathway has no anchor '${c.anchor}'${didYouMean(c.anchor, Object.keys(pathway.anchors))}`);
      else if (typeof c.value !== 'string' || !parseTime(c.value, offset))
        report(['changes', i, 'value'], `an anchor's value is a date (YYYY-MM-DD) or ISO date-time`);
    }
    if (c.variable !== undefined && !pathway.variables[c.variable]) report(['changes', i, 'variable'], `the pathway declares no variable '${c.variable}'`);
    if (c.reading && !pathway.steps.some((s) => s.kind === 'monitor' && s.metric === c.reading!.metric))
      report(['changes', i, 'reading', 'metric'], `no monitor of the pathway watches '${c.reading.metric}'`);
  });
}
