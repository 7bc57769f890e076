// Validation of the journey's updates: pure functions of the pinned pathway and the journey
// state, run by Temporal's update validators (a rejected update leaves no trace in history).
import type { CompiledPathway, CompiledStep, JourneyState, ValueType } from '../pathway/planner/index.ts';
import { anchorPlausibilityProblem, checkBooking, expectedShape, fitsType, isSettled, parseTime } from '../pathway/planner/index.ts';
import type {
  CompleteStepRequest,
  RecordEventRequest,
  SetAnchorRequest,
  SetVariableRequest,
  SubmitAnswersRequest,
  SubmitReadingRequest,
  UpgradePathwayRequest,
  UseEntitlementRequest,
} from './journey-definitions.ts';
import { stepIdOfKey } from '../pathway/model/keys.ts';
import { STAFF_COMPLETED_KINDS } from '../pathway/model/step-kinds.ts';
import { stepDataFields } from '../pathway/model/step-data.ts';

/** Thrown by a validator; the message goes back to the caller as the rejection reason. */
export class InvalidUpdate extends Error {
  override name = 'InvalidUpdate';
}

export function stepOf(pathway: CompiledPathway, key: string): CompiledStep | undefined {
  const id = stepIdOfKey(key) ?? key;
  return pathway.steps.find((s) => s.id === id);
}

function openOccurrence(state: JourneyState, key: string): void {
  const record = state.occurrences?.[key];
  if (!record && isSettled(state, key)) throw new InvalidUpdate(`'${key}' was closed in an earlier run of this journey`);
  if (!record?.issuedAt) throw new InvalidUpdate(`'${key}' has not been issued in this journey`);
  if (record.completedAt) throw new InvalidUpdate(`'${key}' was already completed at ${record.completedAt}`);
  if (record.cancelledAt) throw new InvalidUpdate(`'${key}' was cancelled at ${record.cancelledAt}`);
}

function requireBy(by: unknown): void {
  if (typeof by !== 'string' || by.length === 0) throw new InvalidUpdate("'by' (who is acting) is required");
}

/** A task, approval or milestone that was issued and is still open; its data must match `produces`. */
export function validateCompleteStep(pathway: CompiledPathway, state: JourneyState, request: CompleteStepRequest, now?: string): void {
  requireBy(request.by);
  const step = stepOf(pathway, request.key);
  if (!step) throw new InvalidUpdate(`no step for '${request.key}' in pathway ${pathway.id}@${pathway.version}`);
  if (!STAFF_COMPLETED_KINDS.has(step.kind))
    throw new InvalidUpdate(`step '${step.id}' is a ${step.kind}; only tasks, approvals, escalations and milestones are completed this way`);
  openOccurrence(state, request.key);
  const fields = stepDataFields(step);
  const data = request.data ?? {};
  for (const [field, value] of Object.entries(data)) {
    const type = fields[field]?.type;
    if (!type)
      throw new InvalidUpdate(
        `step '${step.id}' does not produce '${field}'${Object.keys(fields).length ? ` (it produces ${Object.keys(fields).join(', ')})` : ''}`,
      );
    if (!fitsType(type, value, pathway.timezone.offsetMinutes)) throw new InvalidUpdate(`'${field}' must be a ${type}, got ${JSON.stringify(value)}`);
  }
  for (const [field, { type, required }] of Object.entries(fields)) {
    if (!required || field in data) continue;
    if (step.kind === 'approval') throw new InvalidUpdate(`approval '${step.id}' needs '${field}': true or false`);
    throw new InvalidUpdate(`step '${step.id}' needs '${field}' (${type})`);
  }
  if (now !== undefined && step.kind === 'task' && step.booking) {
    const refused = checkBooking(pathway, state, now, step, data[step.booking.field])?.refuse;
    if (refused) throw new InvalidUpdate(refused);
  }
}

/**
 * A use of an entitlement the pathway declares, with the caller's ref; a capped one needs a unit
 * left (`remaining` is its balance now). A ref already recorded passes: the handler answers it
 * as a duplicate.
 */
export function validateUseEntitlement(pathway: CompiledPathway, state: JourneyState, request: UseEntitlementRequest, remaining: number | undefined): void {
  requireBy(request.by);
  const ent = pathway.entitlements[request.entitlement];
  if (!ent) {
    const known = Object.keys(pathway.entitlements);
    throw new InvalidUpdate(`pathway ${pathway.id} has no entitlement '${request.entitlement}'${known.length ? ` (it has ${known.join(', ')})` : ''}`);
  }
  if (typeof request.ref !== 'string' || request.ref.length === 0)
    throw new InvalidUpdate("'ref' (the id of this consultation or visit) is required, so that a resent request counts once");
  if ((state.consumptions ?? []).some((c) => c.entitlement === request.entitlement && c.ref === request.ref)) return;
  if (ent.enforced !== false && (remaining ?? 0) <= 0) {
    const limits = ent.limits.map((l) => `${l.quota} per ${l.per}`).join(', ');
    throw new InvalidUpdate(`no ${request.entitlement} left (${limits}); the next unit comes with the next period`);
  }
}

/** An anchor the pathway declares, in its type; an anchor already known must be correctable. */
export function validateSetAnchor(pathway: CompiledPathway, state: JourneyState, request: SetAnchorRequest): void {
  requireBy(request.by);
  const anchor = pathway.anchors[request.name];
  if (!anchor) throw new InvalidUpdate(`pathway ${pathway.id} has no anchor '${request.name}' (it has ${Object.keys(pathway.anchors).join(', ')})`);
  if (anchor.fixed !== undefined) throw new InvalidUpdate(`'${request.name}' is a calendar date of the pathway (${anchor.fixed}); it cannot be set`);
  if (!fitsType(anchor.type, request.value, pathway.timezone.offsetMinutes)) {
    throw new InvalidUpdate(`anchor '${request.name}' is a ${anchor.type}: expected ${expectedShape(anchor.type)}, got '${request.value}'`);
  }
  const implausible = anchorPlausibilityProblem(pathway, request.name, request.value, state.enrolledAt);
  if (implausible) throw new InvalidUpdate(implausible);
  if (state.anchors[request.name] !== undefined && !anchor.correctable) {
    throw new InvalidUpdate(`anchor '${request.name}' is already set and the pathway does not allow correcting it`);
  }
}

/** A declared event, not seen before (by id), not after the journey ended, and not dated in the future. */
export function validateRecordEvent(pathway: CompiledPathway, state: JourneyState, request: RecordEventRequest, now: string, ended: boolean): void {
  requireBy(request.by);
  const event = pathway.events[request.name];
  if (!event) throw new InvalidUpdate(`pathway ${pathway.id} has no event '${request.name}' (it has ${Object.keys(pathway.events).join(', ')})`);
  if (!request.id) throw new InvalidUpdate("'id' is required so that a resent event is recognised");
  if ((state.events ?? []).some((e) => e.id === request.id)) throw new InvalidUpdate(`event '${request.id}' was already recorded`);
  if (ended) throw new InvalidUpdate('the journey has ended; no more events are accepted');
  const offset = pathway.timezone.offsetMinutes;
  if (request.at !== undefined) {
    const at = parseTime(request.at, offset);
    if (!at) throw new InvalidUpdate(`'at' must be an ISO 8601 date or date-time, got '${request.at}'`);
    if (at.ms > parseTime(now, offset)!.ms + 60_000) throw new InvalidUpdate(`'at' ${request.at} is in the future`);
    const implausible = event.setsAnchor ? anchorPlausibilityProblem(pathway, event.setsAnchor, request.at, state.enrolledAt) : null;
    if (implausible) throw new InvalidUpdate(`event '${request.name}' sets ${implausible}`);
  }
  if (event.resumes) {
    const pausers = Object.entries(pathway.events)
      .filter(([, e]) => e.pauses)
      .map(([name]) => name);
    const last = [...(state.events ?? [])].reverse().find((e) => pausers.includes(e.name) || pathway.events[e.name]?.resumes);
    if (!last || !pausers.includes(last.name)) throw new InvalidUpdate(`'${request.name}' resumes a pause, but the journey is not paused`);
  }
}

/** Answers to an issued, open questionnaire: every item, each a number. */
export function validateSubmitAnswers(pathway: CompiledPathway, state: JourneyState, request: SubmitAnswersRequest): void {
  requireBy(request.by);
  const step = stepOf(pathway, request.key);
  if (!step || step.kind !== 'questionnaire') throw new InvalidUpdate(`'${request.key}' is not a questionnaire of this journey`);
  openOccurrence(state, request.key);
  const expected = pathway.questionnaires[step.questionnaire]?.items ?? [];
  const given = Object.keys(request.items ?? {});
  const missing = expected.filter((id) => !given.includes(id));
  const unknown = given.filter((id) => !expected.includes(id));
  if (missing.length) throw new InvalidUpdate(`answers missing for ${missing.join(', ')}`);
  if (unknown.length) throw new InvalidUpdate(`no items ${unknown.join(', ')} in questionnaire ${step.questionnaire}`);
  for (const [id, score] of Object.entries(request.items)) {
    if (typeof score !== 'number' || !Number.isFinite(score)) throw new InvalidUpdate(`answer to ${id} must be a number (the option's score)`);
  }
}

/** A reading of a metric some monitor step watches, with that step's fields, not seen before, not dated ahead. */
export function validateSubmitReading(pathway: CompiledPathway, state: JourneyState, request: SubmitReadingRequest, now?: string): void {
  requireBy(request.by);
  const monitors = pathway.steps.filter((s) => s.kind === 'monitor' && s.metric === request.metric);
  if (monitors.length === 0) throw new InvalidUpdate(`this journey does not monitor '${request.metric}'`);
  if (!request.id) throw new InvalidUpdate("'id' is required so that a resent reading is recognised");
  if ((state.readings ?? []).some((r) => r.id === request.id)) throw new InvalidUpdate(`reading '${request.id}' was already submitted`);
  const at = parseTime(request.at, pathway.timezone.offsetMinutes);
  if (!at) throw new InvalidUpdate(`'at' must be an ISO 8601 date-time, got '${request.at}'`);
  if (now !== undefined && at.ms > parseTime(now, pathway.timezone.offsetMinutes)!.ms + 60_000) throw new InvalidUpdate(`'at' ${request.at} is in the future`);
  const fields = Object.assign({}, ...monitors.map((m) => (m.kind === 'monitor' ? m.fields : {}))) as Record<string, ValueType>;
  for (const [field, value] of Object.entries(request.values ?? {})) {
    const type = fields[field];
    if (!type) throw new InvalidUpdate(`'${request.metric}' has no field '${field}' (fields: ${Object.keys(fields).join(', ')})`);
    if (!fitsType(type, value, pathway.timezone.offsetMinutes)) {
      throw new InvalidUpdate(
        `'${field}' must be ${type === 'bool' ? 'true or false' : type === 'int' ? 'a whole number' : type === 'double' ? 'a number' : expectedShape(type)}`,
      );
    }
  }
  if (Object.keys(request.values ?? {}).length === 0) throw new InvalidUpdate('a reading needs at least one value');
  const required = [...new Set(monitors.flatMap((m) => (m.kind === 'monitor' ? (m.required ?? []) : [])))];
  const missing = required.filter((f) => request.values[f] === undefined);
  if (missing.length) throw new InvalidUpdate(`a '${request.metric}' reading needs ${missing.map((f) => `'${f}'`).join(' and ')}`);
}

/** A newer compiled version of the same pathway, whose required anchors this journey has. */
export function validateUpgradePathway(current: CompiledPathway, state: JourneyState, request: UpgradePathwayRequest): void {
  requireBy(request.by);
  const next = request.pathway;
  if (!next || typeof next !== 'object' || !Array.isArray(next.steps)) throw new InvalidUpdate("'pathway' must be a compiled pathway");
  if (next.id !== current.id) throw new InvalidUpdate(`this journey runs ${current.id}; it cannot move to ${next.id}`);
  if (next.hash === current.hash) throw new InvalidUpdate(`the journey already runs ${current.id}@${current.version} (same content)`);
  const missing = Object.entries(next.anchors)
    .filter(([name, a]) => a.required && state.anchors[name] === undefined)
    .map(([name]) => name);
  if (missing.length) throw new InvalidUpdate(`version ${next.version} requires anchors this journey lacks: ${missing.join(', ')}`);
}

/** A declared variable, with a value of its type. */
export function validateSetVariable(pathway: CompiledPathway, request: SetVariableRequest): void {
  requireBy(request.by);
  const variable = pathway.variables[request.name];
  if (!variable)
    throw new InvalidUpdate(
      `pathway ${pathway.id} has no variable '${request.name}'${Object.keys(pathway.variables).length ? ` (it has ${Object.keys(pathway.variables).join(', ')})` : ''}`,
    );
  const v = request.value;
  if (!fitsType(variable.type, v, pathway.timezone.offsetMinutes))
    throw new InvalidUpdate(`variable '${request.name}' is a ${variable.type}, got ${JSON.stringify(v)}`);
}
