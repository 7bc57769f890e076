/**
 * Builds the compiled pathway from a document that passed every check: durations become
 * minutes, references become structured `TimeRef`s, defaults are filled in, and the result is
 * canonical JSON carrying id, version and a content hash.
 */
import {
  COMPILED_FORMAT,
  type CompiledAnchor,
  type CompiledEscalationLevel,
  type CompiledExpression,
  type CompiledPathway,
  type CompiledRule,
  type CompiledStep,
  type CompiledTiming,
  type FieldType,
  type StepKind,
  type TaskStep,
  type TimeRef,
  type Urgency,
} from '../model/compiled.ts';
import { channelsOf, isRaw, str, strList, sub, type Analysis, type Raw } from './analysis.ts';
import { canonicalize, contentHash } from './canonical.ts';
import { declaredVariables, monitorFieldSpecs, monitorFields } from './checks/expressions.ts';
import { parseClock, parseDuration } from '../planner/duration.ts';
import { DEFAULT_PLAUSIBLE } from '../planner/plausibility.ts';
import type { Path } from './source.ts';

const DEFAULT_QUIET = { start: '21:00', end: '08:00' };

/** Emits the compiled pathway (call only when the analysis found no errors). */
export function emitCompiled(a: Analysis, timezone: string): CompiledPathway {
  const root = a.draft.root;
  const quiet = isRaw(root['quiet_hours']) ? root['quiet_hours'] : DEFAULT_QUIET;
  const ref = (path: Path): TimeRef => a.ref(path)!;
  const optRef = (path: Path): TimeRef | undefined => a.ref(path);
  const setBy = new Map(a.draft.events.flatMap((e) => (str(e.def, 'sets_anchor') ? [[str(e.def, 'sets_anchor')!, e.name]] : [])));
  const body: Omit<CompiledPathway, 'hash'> = {
    format: COMPILED_FORMAT,
    id: str(root, 'pathway')!,
    version: String(root['version']),
    title: str(root, 'title')!,
    program: str(root, 'program')!,
    locale: str(root, 'locale') ?? 'zh-CN',
    timezone: { name: timezone, offsetMinutes: a.offsetMinutes },
    quietHours: { start: clock(str(quiet, 'start')), end: clock(str(quiet, 'end')) },
    defaultTime: clock(str(root, 'default_time') ?? '09:00'),
    anchors: Object.fromEntries([
      ...a.draft.anchors.map((x): [string, CompiledAnchor] => [
        x.name,
        omitUndefined({
          type: str(x.def, 'type') === 'datetime' ? 'datetime' : 'date',
          required: x.def['required'] === true,
          correctable: x.def['correctable'] === true,
          derive: optRef([...x.path, 'derive']),
          estimate: optRef([...x.path, 'estimate']),
          setBy: setBy.get(x.name),
          plausible: plausible(x.def['plausible']),
          title: str(x.def, 'title'),
        }),
      ]),
      // Calendar dates become anchors with a fixed value, so the planner resolves them like any other.
      ...a.draft.calendar.map((c): [string, CompiledAnchor] => [
        c.name,
        omitUndefined({ type: 'date', required: false, correctable: false, fixed: str(c.def, 'date')!, title: str(c.def, 'title') }),
      ]),
    ]),
    span: { start: ref(['span', 'start']), end: ref(['span', 'end']) },
    variables: Object.fromEntries(
      a.draft.variables.map((v) => [v.name, omitUndefined({ type: str(v.def, 'type') as 'bool', default: v.def['default'] as boolean | undefined })]),
    ),
    events: Object.fromEntries(
      a.draft.events.map((e) => [
        e.name,
        omitUndefined({
          setsAnchor: str(e.def, 'sets_anchor'),
          endsJourney: e.def['ends_journey'] === true,
          endsStages: e.def['ends_stages'] === undefined ? undefined : strList(e.def, 'ends_stages').map((t) => t.value),
          pauses: e.def['pauses'] === true,
          resumes: e.def['resumes'] === true,
          triggers: strList(e.def, 'triggers').map((t) => t.value),
          title: str(e.def, 'title'),
        }),
      ]),
    ),
    stages: a.draft.stages.map((s) =>
      omitUndefined({ id: s.id!, from: ref([...s.path, 'from']), until: ref([...s.path, 'until']), title: str(s.def, 'title') }),
    ),
    entitlements: Object.fromEntries(
      a.draft.entitlements.map((e) => [
        e.id!,
        omitUndefined({
          id: e.id!,
          limits: (e.def['limits'] as Raw[]).map((l) => ({ quota: l['quota'] as number, per: l['per'] as 'journey' })),
          enforced: e.def['enforced'] === false ? (false as const) : undefined,
          title: str(e.def, 'title'),
        }),
      ]),
    ),
    steps: a.draft.steps.map((s) => emitStep(a, s.def, s.path)),
    questionnaires: Object.fromEntries(
      [...new Set(a.draft.steps.flatMap((s) => (str(s.def, 'questionnaire') ? [str(s.def, 'questionnaire')!] : [])))]
        .sort()
        .map((id) => [id, a.env.content.questionnaires.get(id)!.compiled]),
    ),
  };
  const ageDisplay = sub(root, 'age_display');
  if (str(ageDisplay, 'style')) {
    body.ageDisplay = omitUndefined({
      style: str(ageDisplay, 'style') as 'cycle-day',
      anchor: str(ageDisplay, 'anchor')!,
      postpartumFrom: str(ageDisplay, 'postpartum_from'),
    });
  }
  // Only where declared: a pathway without pacing hashes (and runs) as before.
  const pacing = sub(root, 'pacing');
  if (pacing['per_day'] !== undefined || pacing['gap'] !== undefined) {
    body.pacing = omitUndefined({
      perDay: typeof pacing['per_day'] === 'number' ? pacing['per_day'] : undefined,
      gapMinutes: str(pacing, 'gap') !== undefined ? minutes(str(pacing, 'gap')) : undefined,
    });
  }
  return canonicalize({ ...body, hash: contentHash(body) });
}

function emitStep(a: Analysis, def: Raw, path: Path): CompiledStep {
  const id = str(def, 'id')!;
  const kind = str(def, 'kind') as StepKind;
  const vars = declaredVariables(a);
  const severity = str(def, 'severity');
  const urgency = (str(def, 'urgency') as Urgency | undefined) ?? (kind === 'escalation' && severity === 'urgent' ? 'urgent' : 'routine');
  const origin: CompiledStep['origin'] = a.triggered.has(id)
    ? { type: 'trigger' }
    : a.dependsOn.has(id)
      ? { type: 'dependent', source: a.dependsOn.get(id)! }
      : { type: 'schedule' };
  const base = omitUndefined({
    id,
    kind,
    title: str(def, 'title'),
    code: str(def, 'code'),
    stage: str(def, 'stage'),
    urgency,
    timing: emitTiming(a, sub(def, 'timing'), [...path, 'timing']),
    if: typeof def['if'] === 'string' ? expression(def['if'], vars) : undefined,
    consumes: str(def, 'consumes'),
    origin,
  });
  const delivery = channelsOf(def);
  const channels = delivery.list.map((c) => c.value);
  // Only a step with a preference order carries it: older compiled pathways stay byte for byte.
  const fallbackAfter = delivery.within !== undefined ? minutes(delivery.within) : undefined;
  const escalate = (Array.isArray(def['escalate']) ? (def['escalate'] as Raw[]) : []).map((l): CompiledEscalationLevel => ({
    after: minutes(str(l, 'after')),
    role: str(l, 'role')!,
    channels: strList(l, 'channels').map((c) => c.value),
    urgency: (str(l, 'urgency') as Urgency | undefined) ?? urgency,
  }));
  const sla = str(def, 'sla') ? minutes(str(def, 'sla')) : undefined;
  const template = str(def, 'template');
  const rules = (scope: Record<string, FieldType | 'items'>): CompiledRule[] =>
    (Array.isArray(def['rules']) ? (def['rules'] as Raw[]) : []).map((r) => ({
      if: { source: str(r, 'if')!, vars: scope },
      triggers: strList(r, 'triggers').map((t) => t.value),
    }));
  switch (kind) {
    case 'message':
      return omitUndefined({ ...base, kind, template: template!, channels, fallbackAfter, audience: str(def, 'audience') ?? 'patient' });
    case 'task':
      return omitUndefined({
        ...base,
        kind,
        role: str(def, 'role')!,
        template,
        sla,
        escalate,
        produces: sub(def, 'produces') as Record<string, FieldType>,
        booking: bookingOf(a, def, path),
      });
    case 'approval':
      return omitUndefined({ ...base, kind, role: str(def, 'role')!, template, sla, escalate });
    case 'escalation':
      return omitUndefined({ ...base, kind, severity: severity as 'urgent', role: str(def, 'role')!, channels, template, sla, escalate });
    case 'questionnaire': {
      const remind = sub(def, 'remind');
      return omitUndefined({
        ...base,
        kind,
        questionnaire: str(def, 'questionnaire')!,
        channels,
        fallbackAfter,
        remind: str(remind, 'after') ? { after: minutes(str(remind, 'after')), times: (remind['times'] as number | undefined) ?? 1 } : undefined,
        rules: rules({ ...vars, score: 'int', band: 'string', items: 'items' }),
      });
    }
    case 'monitor': {
      const fields = monitorFields(def);
      const specs = Object.entries(monitorFieldSpecs(def));
      const required = specs.filter(([, f]) => f.required).map(([n]) => n);
      const defaults = Object.fromEntries(specs.flatMap(([n, f]) => (f.default === undefined ? [] : [[n, f.default]])));
      return omitUndefined({
        ...base,
        kind,
        metric: str(def, 'metric')!,
        fields,
        // Only a pathway that declares them carries them: older compiled pathways stay byte for byte.
        required: isRaw(def['fields']) && required.length ? required : undefined,
        defaults: Object.keys(defaults).length ? defaults : undefined,
        incomplete: Array.isArray(def['incomplete']) ? strList(def, 'incomplete').map((t) => t.value) : undefined,
        template,
        channels,
        fallbackAfter,
        rules: rules({ ...vars, ...fields }),
      });
    }
    case 'milestone':
      return omitUndefined({ ...base, kind, role: str(def, 'role') });
  }
}

function emitTiming(a: Analysis, t: Raw, path: Path): CompiledTiming {
  return omitUndefined({
    at: a.ref([...path, 'at']),
    earliest: a.ref([...path, 'earliest']),
    latest: a.ref([...path, 'latest']),
    time: str(t, 'time') ? clock(str(t, 'time')) : undefined,
    every: str(t, 'every') ? minutes(str(t, 'every')) : undefined,
    until: a.ref([...path, 'until']),
    count: typeof t['count'] === 'number' ? t['count'] : undefined,
    stopOn: strList(t, 'stop_on').map((s) => s.value),
    catchUp:
      t['catch_up'] === 'skip' || t['catch_up'] === 'compress'
        ? t['catch_up']
        : isRaw(t['catch_up'])
          ? { until: a.ref([...path, 'catch_up', 'until'])! }
          : undefined,
  });
}

function expression(source: string, vars: Record<string, FieldType>): CompiledExpression {
  return { source, vars };
}

function minutes(text: string | undefined): number {
  return parseDuration(text ?? '')?.minutes ?? 0;
}

/** A declared plausible window in minutes, the side left out taking the default. */
function plausible(def: unknown): CompiledAnchor['plausible'] {
  if (!isRaw(def)) return undefined;
  return { before: minutesOr(str(def, 'before'), DEFAULT_PLAUSIBLE.before), after: minutesOr(str(def, 'after'), DEFAULT_PLAUSIBLE.after) };
}

function minutesOr(text: string | undefined, fallback: number): number {
  return text === undefined ? fallback : minutes(text);
}

function clock(text: string | undefined): number {
  return parseClock(text ?? '') ?? 0;
}

function omitUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

type TaskStepBooking = NonNullable<TaskStep['booking']>;

function bookingOf(a: Analysis, def: Raw, path: Path): TaskStepBooking | undefined {
  const booking = def['booking'];
  if (!isRaw(booking)) return undefined;
  const outside = booking['outside'] === 'reject' ? 'reject' : strList(booking, 'outside').map((t) => t.value);
  return {
    field: str(booking, 'field') ?? 'appointment_at',
    from: a.ref([...path, 'booking', 'from'])!,
    until: a.ref([...path, 'booking', 'until'])!,
    outside,
  };
}
