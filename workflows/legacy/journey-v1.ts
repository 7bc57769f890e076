// The journey workflow as it ran until December 2026 (version 1), kept unchanged so that the
// journeys it started replay: ../journey.ts runs it for histories without the version-2 marker.
// The one change since is behind patched(): a journey that meets this code again after the deploy
// continues as new at its next planning round, and so moves to version 2.
import {
  allHandlersFinished,
  condition,
  continueAsNew,
  log,
  patched,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../../activities/index.ts';
import type { NewJourneyEvent } from '../../db/repositories/journey-events.ts';
import { parseTime, plan, projectTimeline, type JourneyState, type Plan } from '../../pathway/planner/index.ts';
import { performAction } from './journey-v1-actions.ts';
import {
  completeStepUpdate,
  journeyViewQuery,
  recordEventUpdate,
  setAnchorUpdate,
  setVariableUpdate,
  submitAnswersUpdate,
  submitReadingUpdate,
  timelineQuery,
  upgradePathwayUpdate,
  type JourneyInput,
  type JourneyOutcome,
  type JourneyView,
} from '../journey-definitions.ts';
import {
  stepOf,
  validateCompleteStep,
  validateRecordEvent,
  validateSetAnchor,
  validateSetVariable,
  validateSubmitAnswers,
  validateSubmitReading,
  validateUpgradePathway,
} from '../journey-validation.ts';
import { NextActionAtKey, PathwayVersionKey, StageKey, StatusKey } from '../search-attributes.ts';

const store = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes' },
});

/** Continue-as-new well before the server's 10,240-event warning. */
const MAX_HISTORY_EVENTS = 4_000;
/** Planning rounds without a pause in between: a guard against a plan that never settles. */
const MAX_ROUNDS_WITHOUT_SLEEP = 100;

function nowIso(): string {
  return new Date(Date.now()).toISOString();
}

/** Marker of version 1 journeys that met the deploy of version 2 while running. */
export const HAND_OVER_TO_V2_PATCH = 'journey-v1-hands-over-to-v2';

/** Runs one patient's journey through a compiled pathway (version 1, frozen). */
export async function journeyWorkflowV1(input: JourneyInput): Promise<JourneyOutcome> {
  const { pathway } = input;
  const state: JourneyState = input.journey;
  state.occurrences ??= {};
  state.events ??= [];
  state.readings ??= [];
  const openTasks: Record<string, string> = input.openTasks ?? {};
  const run = input.run ?? 0;
  const offset = pathway.timezone.offsetMinutes;
  let changed = false;
  let current: Plan = plan(pathway, state, nowIso());
  const timeline: NewJourneyEvent[] = [];
  const note = (type: string, key: string, stepId: string | null, details?: unknown) =>
    timeline.push({ enrollmentId: input.enrollmentId, eventKey: `${type}:${key}`, type, stepId, at: nowIso(), details });
  const ended = () => current.status === 'ended' || current.status === 'completed';

  setHandler(
    completeStepUpdate,
    async (request) => {
      const at = nowIso();
      const record = (state.occurrences![request.key] ??= {});
      record.completedAt = at;
      if (request.data) record.data = { ...request.data };
      const taskId = openTasks[request.key];
      if (taskId) {
        delete openTasks[request.key];
        await store.closeTask({ taskId, status: 'done', by: request.by, result: request.data ?? null, at });
      }
      note('completed', request.key, stepOf(pathway, request.key)?.id ?? null, { by: request.by });
      changed = true;
      return { key: request.key, completedAt: at };
    },
    { validator: (request) => validateCompleteStep(pathway, state, request) },
  );

  setHandler(
    setAnchorUpdate,
    (request) => {
      const previous = state.anchors[request.name];
      state.anchors[request.name] = request.value;
      note('anchor-set', `${request.name}=${request.value}`, null, { anchor: request.name, corrected: previous !== undefined, by: request.by });
      changed = true;
      return { name: request.name, value: request.value };
    },
    { validator: (request) => validateSetAnchor(pathway, state, request) },
  );

  setHandler(
    setVariableUpdate,
    (request) => {
      state.variables = { ...state.variables, [request.name]: request.value };
      note('variable-set', `${request.name}@${nowIso()}`, null, { variable: request.name, by: request.by });
      changed = true;
      return { name: request.name, value: request.value };
    },
    { validator: (request) => validateSetVariable(pathway, request) },
  );

  setHandler(
    recordEventUpdate,
    (request) => {
      const at = request.at ? normalise(request.at) : nowIso();
      state.events!.push({ id: request.id, name: request.name, at });
      note('event', request.id, null, { event: request.name, by: request.by });
      changed = true;
      return { name: request.name, at };
    },
    { validator: (request) => validateRecordEvent(pathway, state, request, nowIso(), ended()) },
  );

  setHandler(
    submitAnswersUpdate,
    (request) => {
      const record = (state.occurrences![request.key] ??= {});
      record.completedAt = nowIso();
      record.data = { items: { ...request.items } };
      const score = Object.values(request.items).reduce((sum, v) => sum + v, 0);
      note('answered', request.key, stepOf(pathway, request.key)?.id ?? null, { by: request.by });
      changed = true;
      return { key: request.key, score };
    },
    { validator: (request) => validateSubmitAnswers(pathway, state, request) },
  );

  setHandler(
    submitReadingUpdate,
    (request) => {
      state.readings!.push({ id: request.id, metric: request.metric, at: normalise(request.at), values: { ...request.values } });
      note('reading', request.id, null, { metric: request.metric, by: request.by });
      changed = true;
      return { id: request.id };
    },
    { validator: (request) => validateSubmitReading(pathway, state, request) },
  );

  let upgradeTo: JourneyInput['pathway'] | null = null;
  setHandler(
    upgradePathwayUpdate,
    async (request) => {
      upgradeTo = request.pathway;
      note('pathway-upgraded', `${request.pathway.id}@${request.pathway.version}`, null, {
        from: pathway.version,
        to: request.pathway.version,
        by: request.by,
      });
      await store.recordPathwayUpgrade({ enrollmentId: input.enrollmentId, version: request.pathway.version, hash: request.pathway.hash });
      changed = true;
      return { from: pathway.version, to: request.pathway.version };
    },
    { validator: (request) => validateUpgradePathway(pathway, state, request) },
  );

  setHandler(journeyViewQuery, (): JourneyView => view());
  setHandler(timelineQuery, () => projectTimeline(pathway, state, { from: nowIso() }));

  function normalise(text: string): string {
    return new Date(parseTime(text, offset)!.ms).toISOString();
  }

  function view(): JourneyView {
    const occurrences = Object.entries(state.occurrences ?? {});
    return {
      enrollmentId: input.enrollmentId,
      pathway: { id: pathway.id, version: pathway.version, hash: pathway.hash },
      status: current.status,
      stage: current.stage ?? null,
      nextWakeAt: current.nextWakeAt,
      anchors: { ...state.anchors },
      events: (state.events ?? []).map((e) => ({ ...e })),
      open: occurrences
        .filter(([, r]) => r.issuedAt && !r.completedAt && !r.cancelledAt && !r.skipped)
        .filter(([key]) => ['task', 'approval', 'questionnaire', 'escalation', 'milestone'].includes(stepOf(pathway, key)?.kind ?? ''))
        .map(([key, r]) => {
          const step = stepOf(pathway, key)!;
          const item = { key, step: step.id, kind: step.kind, issuedAt: r.issuedAt! };
          return openTasks[key] ? { ...item, taskId: openTasks[key] } : item;
        }),
      completed: occurrences.filter(([, r]) => r.completedAt).length,
      skipped: occurrences.filter(([, r]) => r.skipped).length,
      entitlements: current.entitlements,
      run,
    };
  }

  /** Lets running update handlers finish, then writes what they noted, before the run ends. */
  async function finishHandlers(): Promise<void> {
    await condition(allHandlersFinished);
    if (timeline.length > 0) await store.recordJourneyEvents(timeline.splice(0));
  }

  let published = '';
  function publishSearchAttributes(): void {
    if (input.searchAttributes === false) return;
    const next = current.nextWakeAt ? new Date(parseTime(current.nextWakeAt, offset)!.ms) : null;
    const version = `${pathway.id}@${pathway.version}`;
    const signature = `${version}|${current.status}|${current.stage ?? ''}|${next?.toISOString() ?? ''}`;
    if (signature === published) return;
    published = signature;
    upsertSearchAttributes([
      { key: PathwayVersionKey, value: version },
      { key: StatusKey, value: current.status },
      { key: StageKey, value: current.stage ?? null },
      { key: NextActionAtKey, value: next },
    ]);
  }

  for (let rounds = 0; ; rounds++) {
    changed = false;
    const now = nowIso();
    current = plan(pathway, state, now);
    for (const warning of current.warnings) log.warn('planner warning', { warning });

    for (const skip of current.skipped) {
      state.occurrences[skip.key] = { ...state.occurrences[skip.key], skipped: skip.reason };
      note('skipped', skip.key, skip.step, { reason: skip.reason, plannedAt: skip.plannedAt });
    }
    for (const key of current.cancel) {
      const taskId = openTasks[key];
      if (taskId) {
        delete openTasks[key];
        await store.closeTask({ taskId, status: 'cancelled', by: 'system', result: null, at: now });
      }
      state.occurrences[key] = { ...state.occurrences[key], cancelledAt: now };
      note('cancelled', key, stepOf(pathway, key)?.id ?? null);
    }
    for (const action of current.due) {
      await performAction({ input, pathway, state, openTasks }, action);
      state.occurrences[action.key] = { ...state.occurrences[action.key], issuedAt: now };
      note(action.type === 'issue' ? 'issued' : action.type, action.key, action.step, {
        kind: action.kind,
        plannedAt: action.plannedAt,
        urgency: action.urgency,
      });
    }
    if (timeline.length > 0) await store.recordJourneyEvents(timeline.splice(0));

    const acted = current.due.length + current.skipped.length + current.cancel.length > 0;
    if (acted && rounds < MAX_ROUNDS_WITHOUT_SLEEP) continue;
    current = plan(pathway, state, nowIso());
    publishSearchAttributes();

    // A completed journey (its span is over) closes what is still open. An ended one (an event
    // such as a loss) stays open while items its ending caused (a care call) are pending or
    // open, so that they are escalated and closed like any other.
    if (current.status === 'completed' && current.due.length === 0 && current.nextWakeAt === null) {
      const at = nowIso();
      for (const [key, taskId] of Object.entries(openTasks)) {
        await store.closeTask({ taskId, status: 'cancelled', by: 'system', result: { reason: 'journey-completed' }, at });
        state.occurrences[key] = { ...state.occurrences[key], cancelledAt: at };
        delete openTasks[key];
        note('cancelled', key, stepOf(pathway, key)?.id ?? null, { reason: 'journey-completed' });
      }
      if (timeline.length > 0) await store.recordJourneyEvents(timeline.splice(0));
    }
    if (ended() && current.due.length === 0 && current.nextWakeAt === null && Object.keys(openTasks).length === 0) {
      const status = current.status === 'completed' ? 'completed' : 'exited';
      await store.markEnrollmentEnded({ enrollmentId: input.enrollmentId, status, at: nowIso() });
      await finishHandlers();
      const endedBy = state.events.find((e) => pathway.events[e.name]?.endsJourney)?.name;
      return endedBy ? { status: current.status, endedBy, runs: run + 1 } : { status: current.status, runs: run + 1 };
    }

    if (upgradeTo) {
      await finishHandlers();
      return continueAsNew<typeof journeyWorkflowV1>({ ...input, pathway: upgradeTo, journey: state, openTasks, run: run + 1 });
    }

    const info = workflowInfo();
    const handOver = patched(HAND_OVER_TO_V2_PATCH);
    if (handOver || info.continueAsNewSuggested || info.historyLength > (input.historyLimit ?? MAX_HISTORY_EVENTS)) {
      await finishHandlers();
      return continueAsNew<typeof journeyWorkflowV1>({ ...input, journey: state, openTasks, run: run + 1 });
    }

    rounds = -1;
    const wake = current.nextWakeAt ? parseTime(current.nextWakeAt, offset)!.ms - Date.now() : null;
    if (wake === null) await condition(() => changed);
    else if (wake > 0) await condition(() => changed, wake);
  }
}
