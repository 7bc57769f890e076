/** Time references (`lmp + 13w6d`, `book_nt.done`, `trigger + 30min`) and id references. */
import type { TimeRef } from '../../model/compiled.ts';
import { str, strList, sub, type Analysis, type Listed } from '../analysis.ts';
import type { Path } from '../source.ts';
import { didYouMean } from '../suggest.ts';
import { parseTimeRef } from '../timeref.ts';

type Place = 'anchor' | 'span' | 'stage' | 'step';

const STEP_TIMING_FIELDS = ['at', 'earliest', 'latest', 'until'] as const;

/** Resolves every time reference into `a.refs` and reports references to unknown things. */
export function checkReferences(a: Analysis): void {
  for (const anchor of a.draft.anchors) {
    for (const field of ['derive', 'estimate']) resolve(a, [...anchor.path, field], 'anchor');
  }
  for (const field of ['start', 'end']) resolve(a, ['span', field], 'span');
  for (const stage of a.draft.stages) for (const field of ['from', 'until']) resolve(a, [...stage.path, field], 'stage');
  for (const step of a.draft.steps) {
    for (const field of STEP_TIMING_FIELDS) resolve(a, [...step.path, 'timing', field], 'step', step);
    resolve(a, [...step.path, 'timing', 'catch_up', 'until'], 'stage');
    // A booking window is a clinical window: on anchors only, like a stage.
    for (const field of ['from', 'until']) resolve(a, [...step.path, 'booking', field], 'stage');
    checkBookingField(a, step);
  }
  checkIdReferences(a);
}

/** The field a booking window applies to: a date or datetime the task produces (`appointment_at` by default). */
function checkBookingField(a: Analysis, step: Listed): void {
  const booking = step.def['booking'];
  if (!booking || typeof booking !== 'object') return;
  const field = str(booking as Record<string, unknown>, 'field') ?? 'appointment_at';
  const produces = sub(step.def, 'produces');
  const type = produces[field];
  const path = [...step.path, 'booking', ...(str(booking as Record<string, unknown>, 'field') ? ['field'] : [])];
  if (type === undefined)
    return a.report(
      'unknown-field-ref',
      `step '${step.id}' produces no '${field}' for its booking window${Object.keys(produces).length ? ` (it produces: ${Object.keys(produces).join(', ')})` : ''}`,
      path,
      { key: path.at(-1) === 'booking' },
    );
  if (type !== 'date' && type !== 'datetime')
    a.report('ref-not-a-time', `field '${field}' is ${String(type)}, not a date or datetime: a booking window needs a time`, path);
}

function valueAt(a: Analysis, path: Path): unknown {
  let cur: unknown = a.draft.root;
  for (const seg of path) cur = cur && typeof cur === 'object' ? (cur as Record<string | number, unknown>)[seg] : undefined;
  return cur;
}

function resolve(a: Analysis, path: Path, place: Place, step?: Listed): void {
  const text = valueAt(a, path);
  if (typeof text !== 'string') return;
  const parsed = parseTimeRef(text);
  if (!parsed.ok) return a.report('time-syntax', parsed.message, path, { offset: parsed.col });
  const { name, nameCol, field, fieldCol, offset, subDay } = parsed.ref;
  const at = (col: number | undefined) => ({ offset: col ?? nameCol });
  const anchorNames = a.anchorNames;
  const stepIds = a.stepIds;

  if (name === 'trigger' && field === undefined && !a.anchor('trigger')) {
    if (place !== 'step') return a.report('invalid-time-base', "'trigger' can only time a step that rules or events trigger", path, at(nameCol));
    if (!a.triggered.has(step!.id ?? '')) {
      return a.report('trigger-mismatch', `step '${step!.id}' is timed from 'trigger' but no rule or event triggers it`, path, at(nameCol));
    }
    return store(a, path, { base: 'trigger', offset, dateOnly: false });
  }
  if (field === undefined) {
    const anchor = a.anchor(name);
    if (!anchor) {
      if (stepIds.has(name) && place === 'step') {
        return a.report('invalid-time-base', `'${name}' is a step: use '${name}.done' or one of the fields it produces`, path, at(nameCol));
      }
      return a.report('unknown-anchor', `unknown anchor '${name}'${didYouMean(name, anchorNames)}`, path, at(nameCol));
    }
    const dateOnly = (str(anchor.def, 'type') ?? 'date') === 'date' && !subDay;
    return store(a, path, { base: 'anchor', anchor: name, offset, dateOnly });
  }
  if (place !== 'step') {
    return a.report('invalid-time-base', `only anchors can be used here, not step '${name}'`, path, at(nameCol));
  }
  if (a.anchor(name)) return a.report('invalid-time-base', `anchor '${name}' has no fields; write '${name} + …'`, path, at(fieldCol));
  const source = a.step(name);
  if (!source) return a.report('unknown-step-ref', `unknown step '${name}'${didYouMean(name, stepIds)}`, path, at(nameCol));
  if (field === 'done') return store(a, path, { base: 'done', step: name, offset, dateOnly: false });
  const produces = sub(source.def, 'produces');
  const type = produces[field];
  if (type === undefined) {
    const known = Object.keys(produces);
    const hint = known.length ? didYouMean(field, known) || ` (it produces: ${known.join(', ')})` : ' (it produces no data; use .done)';
    return a.report('unknown-field-ref', `step '${name}' has no field '${field}'${hint}`, path, at(fieldCol));
  }
  if (type !== 'date' && type !== 'datetime') {
    return a.report('ref-not-a-time', `field '${name}.${field}' is ${String(type)}, not a date or datetime`, path, at(fieldCol));
  }
  store(a, path, { base: 'data', step: name, field, offset, dateOnly: type === 'date' && !subDay });
}

function store(a: Analysis, path: Path, ref: TimeRef): void {
  a.refs.set(JSON.stringify(path), ref);
}

function checkIdReferences(a: Analysis): void {
  const stages = a.draft.stages.flatMap((s) => (s.id ? [s.id] : []));
  const entitlements = a.draft.entitlements.flatMap((s) => (s.id ? [s.id] : []));
  const events = a.draft.events.map((e) => e.name);
  const anchors = a.draft.anchors.map((x) => x.name);
  for (const step of a.draft.steps) {
    const stage = str(step.def, 'stage');
    if (stage !== undefined && !stages.includes(stage)) {
      a.report('unknown-stage', `unknown stage '${stage}'${didYouMean(stage, stages)}`, [...step.path, 'stage']);
    }
    const consumes = str(step.def, 'consumes');
    if (consumes !== undefined && !entitlements.includes(consumes)) {
      a.report('unknown-entitlement', `unknown entitlement '${consumes}'${didYouMean(consumes, entitlements)}`, [...step.path, 'consumes']);
    }
    for (const e of strList(sub(step.def, 'timing'), 'stop_on')) {
      if (!events.includes(e.value)) {
        a.report('unknown-event', `unknown event '${e.value}'${didYouMean(e.value, events)}`, [...step.path, 'timing', 'stop_on', e.index]);
      }
    }
  }
  for (const ev of a.draft.events) {
    for (const s of strList(ev.def, 'ends_stages')) {
      if (!stages.includes(s.value))
        a.report('unknown-stage', `unknown stage '${s.value}'${didYouMean(s.value, stages)}`, [...ev.path, 'ends_stages', s.index]);
    }
  }
  const setters = new Map<string, string>();
  for (const ev of a.draft.events) {
    const target = str(ev.def, 'sets_anchor');
    if (target === undefined) continue;
    const anchor = a.anchor(target);
    if (!anchor) a.report('unknown-anchor', `unknown anchor '${target}'${didYouMean(target, anchors)}`, [...ev.path, 'sets_anchor']);
    else if (!a.draft.anchors.includes(anchor)) {
      a.report('anchor-source-conflict', `'${target}' is a calendar date (fixed), so an event cannot set it`, [...ev.path, 'sets_anchor']);
    } else if (anchor.def['required'] === true) {
      a.report('anchor-source-conflict', `anchor '${target}' is required at enrolment, so an event cannot set it`, [...ev.path, 'sets_anchor']);
    } else if (setters.has(target)) {
      a.report('anchor-source-conflict', `anchor '${target}' is already set by event '${setters.get(target)}'`, [...ev.path, 'sets_anchor']);
    } else setters.set(target, ev.name);
  }
  for (const anchor of a.draft.anchors) {
    if (anchor.def['required'] === true && anchor.def['derive'] !== undefined) {
      a.report('anchor-source-conflict', `anchor '${anchor.name}' is required at enrolment, so it cannot also be derived`, [...anchor.path, 'derive']);
    }
  }
  const age = sub(a.draft.root, 'age_display');
  const ageAnchor = str(age, 'anchor');
  const birthAnchor = str(age, 'postpartum_from');
  if (birthAnchor !== undefined && !a.anchor(birthAnchor)) {
    a.report('unknown-anchor', `unknown anchor '${birthAnchor}'${didYouMean(birthAnchor, anchors)}`, ['age_display', 'postpartum_from']);
  }
  if (ageAnchor !== undefined && !a.anchor(ageAnchor)) {
    a.report('unknown-anchor', `unknown anchor '${ageAnchor}'${didYouMean(ageAnchor, anchors)}`, ['age_display', 'anchor']);
  }
  const pauses = a.draft.events.find((e) => e.def['pauses'] === true);
  if (pauses && !a.draft.events.some((e) => e.def['resumes'] === true)) {
    a.report('pause-without-resume', `event '${pauses.name}' pauses the journey but no event resumes it`, [...pauses.path, 'pauses']);
  }
}
