// The journey workflow: one per enrolment, running a pinned compiled pathway for months.
// Loop: plan → carry out the round (one database activity, one activity per message) → sleep
// until the next wake-up or an update. A run continues as new on a replay budget, so that a
// worker with an empty cache replays any run quickly, however long the journey is.
import {
  type ActivityOptions,
  type LocalActivityOptions,
  ActivityFailure,
  allHandlersFinished,
  ApplicationFailure,
  condition,
  continueAsNew,
  currentUpdateInfo,
  log,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { Priority } from '@temporalio/common';
import type { Activities } from '../activities/index.ts';
import type { SendMessageInput } from '../activities/messages.ts';
import { messageKey as outboxKey } from '../pathway/model/keys.ts';
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
  useEntitlementUpdate,
  type JourneyInput,
  type JourneyOutcome,
} from './journey-definitions.ts';
import type { Round } from './journey-round.ts';
import { JourneyRun } from './journey-run.ts';
import { roundSummary, sendSummary, wakeSummary } from './summaries.ts';
import { Wakeup } from './wakeup.ts';
import { replayBudgetExceeded } from './replay-budget.ts';
import { journeyWorkflowV1 } from './legacy/journey-v1.ts';
import { NextActionAtKey, PathwayVersionKey, StageKey, StatusKey } from './search-attributes.ts';

const messageKey = (m: SendMessageInput) => outboxKey(m.enrollmentId, m.occurrenceKey, m.channel);

/** Database work: retried until the database answers again (a journey must not lose a step). */
const STORE_OPTIONS: ActivityOptions = {
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes' },
};
const store = proxyActivities<Activities>(STORE_OPTIONS);

/**
 * A round's writes, as a local activity: one short transaction run by the worker inside the
 * workflow task, recorded as one marker. Against an activity task it saves the server a
 * dispatch and a second workflow task per round, and an update's answer comes after its writes.
 */
const ROUND_OPTIONS: LocalActivityOptions = {
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '5 minutes' },
};
const rounds = proxyLocalActivities<Activities>(ROUND_OPTIONS);

/**
 * Message delivery: retried with backoff for about an hour; after the last attempt the message
 * is handed to a person as a task.
 */
const DELIVERY_OPTIONS: ActivityOptions = {
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '10 seconds', backoffCoefficient: 2, maximumInterval: '15 minutes', maximumAttempts: 8 },
};
const delivery = proxyActivities<Activities>(DELIVERY_OPTIONS);

/**
 * Urgent messages go out on their own activity, ahead of routine work in the task queue's
 * backlog (priority 1 of 5; routine work has the default, 3): in a morning burst an urgent
 * notice does not wait behind thousands of reminders. The worker's matcher (Temporal server
 * 1.30+) dispatches a queue's backlog by priority.
 */
const URGENT_PRIORITY = { priorityKey: 1 };

/** Marker of journeys started by this version of the workflow; histories without it run version 1. */
export const JOURNEY_V2_PATCH = 'journey-v2';

/** Marker of runs that send a round's urgent messages apart from its routine ones, with URGENT_PRIORITY. */
export const URGENT_DELIVERY_PATCH = 'urgent-delivery';

/** Marker of runs that hand to a person what the journey missed while held up (else it is skipped). */
export const HELD_UP_PATCH = 'held-up-hand-over';

/** Planning rounds without a pause in between: a guard against a plan that never settles. */
const MAX_ROUNDS_WITHOUT_SLEEP = 100;

type Ending = { kind: 'return'; outcome: JourneyOutcome } | { kind: 'continue'; input: JourneyInput };

const nowIso = () => new Date(Date.now()).toISOString();
const updateId = () => currentUpdateInfo()?.id ?? nowIso();

/** Runs one patient's journey through a compiled pathway. */
export async function journeyWorkflow(input: JourneyInput): Promise<JourneyOutcome> {
  if (!patched(JOURNEY_V2_PATCH)) return journeyWorkflowV1(input);
  const journey = new JourneyRun(input, nowIso());

  setHandler(completeStepUpdate, (r) => journey.completeStep(r, nowIso()), { validator: (r) => journey.validateCompleteStep(r, nowIso()) });
  setHandler(setAnchorUpdate, (r) => journey.setAnchor(r, nowIso(), updateId()), { validator: (r) => journey.validateSetAnchor(r) });
  setHandler(setVariableUpdate, (r) => journey.setVariable(r, nowIso(), updateId()), { validator: (r) => journey.validateSetVariable(r) });
  setHandler(recordEventUpdate, (r) => journey.recordEvent(r, nowIso()), { validator: (r) => journey.validateRecordEvent(r, nowIso()) });
  setHandler(submitAnswersUpdate, (r) => journey.submitAnswers(r, nowIso()), { validator: (r) => journey.validateSubmitAnswers(r) });
  setHandler(submitReadingUpdate, (r) => journey.submitReading(r, nowIso()), { validator: (r) => journey.validateSubmitReading(r, nowIso()) });
  setHandler(useEntitlementUpdate, (r) => journey.useEntitlement(r, nowIso()), { validator: (r) => journey.validateUseEntitlement(r, nowIso()) });
  setHandler(upgradePathwayUpdate, (r) => journey.upgradePathway(r, nowIso()), { validator: (r) => journey.validateUpgradePathway(r) });
  setHandler(journeyViewQuery, () => journey.view());
  setHandler(timelineQuery, () => journey.timeline(nowIso()));

  const ending = await runJourney(journey);
  // Handlers are synchronous, so none can be half done here; this is the last step of every run.
  await condition(allHandlersFinished);
  return ending.kind === 'return' ? ending.outcome : continueAsNew<typeof journeyWorkflow>(ending.input);
}

/** Plans and acts until the journey ends or the run has used its replay budget. */
async function runJourney(journey: JourneyRun): Promise<Ending> {
  const wakeup = new Wakeup();
  journey.onChange = () => wakeup.notify();
  const sends = new InFlight(() => wakeup.notify());
  for (let rounds = 0; ; rounds++) {
    const now = nowIso();
    await fallBack(journey, now);
    journey.release(journey.pacing.takeDue(Date.parse(now)), now);
    const { round, acted } = journey.planRound(now, () => patched(HELD_UP_PATCH));
    for (const warning of journey.current.warnings) log.warn('planner warning', { warning });
    if (!round.empty) await carryOut(journey, round, sends);
    if (acted && rounds < MAX_ROUNDS_WITHOUT_SLEEP) continue;
    if (journey.hasPendingWrites) continue;
    publishSearchAttributes(journey);
    rounds = 0;

    // What ends this run: the journey's end, an upgrade, or the replay budget. Each first writes
    // what it must in one more round, and waits for the messages still being delivered.
    const ending = endingOf(journey, now);
    if (journey.hasPendingWrites) continue;
    if (ending) {
      const waiting = journey.fallbacks.count + journey.pacing.heldCount;
      if (ending === 'ended' && waiting > 0 && journey.current.status === 'ended') {
        // Exited (a loss, a withdrawal): the next channels of what was sent, and the messages held for their turn, never go.
        journey.fallBack(journey.fallbacks.takeAll(), {}, messageKey, now);
        journey.release(journey.pacing.takeAll(), now);
        continue;
      }
      if (sends.count > 0 || (ending === 'ended' && waiting > 0)) {
        // Still planned steps (and channels' times) fall due meanwhile: wait for the next of them too.
        const wake = journey.wakeMs();
        if (!journey.changed && (wake === null || wake > Date.now())) await wakeup.wait(wake, wakeSummary(journey.current.nextWakeAt, journey.current.stage));
        continue;
      }
      if (ending === 'ended') return { kind: 'return', outcome: outcomeOf(journey) };
      return { kind: 'continue', input: journey.carryOver(journey.upgradeTo ?? journey.pathway) };
    }

    const wake = journey.wakeMs();
    if (!journey.changed && (wake === null || wake > Date.now())) await wakeup.wait(wake, wakeSummary(journey.current.nextWakeAt, journey.current.stage));
  }
}

/**
 * The preference orders whose channel's time is up: the receipts of those sent are asked for
 * (one activity), and the next channel of each not delivered goes into the next round. Nothing
 * is asked, and no command is added, while no order waits: histories without one replay as before.
 */
async function fallBack(journey: JourneyRun, now: string): Promise<void> {
  const due = journey.fallbacks.takeDue(Date.parse(now));
  if (due.length === 0) return;
  const keys = due.filter((p) => !p.failed).map((p) => messageKey(p.message));
  const outcomes = keys.length
    ? await store.deliveryOutcomes.executeWithOptions({ ...STORE_OPTIONS, summary: `receipts of ${keys.length} message(s)` }, [{ idempotencyKeys: keys }])
    : {};
  journey.fallBack(due, outcomes, messageKey, nowIso());
}

/**
 * Why the run ends now, if it does: the journey is over, moves to a new pathway version, or has
 * used its replay budget. What must be written first (tasks still open when the span is over,
 * the end of the enrolment, the reason for continuing as new) goes into the next round.
 */
function endingOf(journey: JourneyRun, now: string): 'ended' | 'upgrade' | 'budget' | null {
  const plan = journey.current;
  const quiet = plan.due.length === 0 && plan.nextWakeAt === null;
  const open = Object.keys(journey.openTasks).length;
  // A completed journey (its span is over) closes what is still open. An ended one (an event
  // such as a loss) stays open while items its ending caused (a care call) are pending or open.
  if (plan.status === 'completed' && quiet && open > 0) {
    journey.closeAll(now);
    return null;
  }
  if (journey.ended && quiet && open === 0) {
    journey.recordEnd(plan.status === 'completed' ? 'completed' : 'exited', now);
    return 'ended';
  }
  if (journey.upgradeTo) return 'upgrade';
  const info = workflowInfo();
  const reason = replayBudgetExceeded(info, journey.rounds, journey.budget);
  if (!reason) return null;
  journey.recordContinuation(reason, info.historyLength, info.historySize, now);
  return 'budget';
}

function outcomeOf(journey: JourneyRun): JourneyOutcome {
  const endedBy = journey.state.events?.find((e) => journey.pathway.events[e.name]?.endsJourney)?.name;
  const outcome: JourneyOutcome = { status: journey.current.status, runs: journey.run + 1 };
  return endedBy ? { ...outcome, endedBy } : outcome;
}

// Promises are few on purpose below: the SDK records a stack trace for every promise a workflow
// creates, and a cold replay creates them all again.

/** Writes the round (a local activity), and sends its messages (one activity) without waiting for them. */
function carryOut(journey: JourneyRun, round: Round, sends: InFlight): Promise<void> {
  const urgent = round.messages.filter((m) => m.urgent);
  if (urgent.length > 0 && patched(URGENT_DELIVERY_PATCH)) {
    const routine = round.messages.filter((m) => !m.urgent);
    sends.track(send(journey, urgent, URGENT_PRIORITY));
    if (routine.length > 0) sends.track(send(journey, routine));
  } else if (round.messages.length > 0) sends.track(send(journey, round.messages));
  if (round.handOvers.length > 0) sends.track(handOver(journey, round.handOvers, 'held-up'));
  return rounds.applyRound
    .executeWithOptions({ ...ROUND_OPTIONS, summary: roundSummary(round) }, [round.writes(journey.input.enrollmentId)])
    .then(({ tasks }) => journey.tasksCreated(round, tasks, nowIso()));
}

/** Sends a round's messages; those still unsent after the last retry are handed to the butler as tasks. */
function send(journey: JourneyRun, messages: SendMessageInput[], priority?: Priority): Promise<unknown> {
  const assignee = journey.input.butlerId;
  const ranked = priority ? { priority } : {};
  return delivery.sendMessages.executeWithOptions({ ...DELIVERY_OPTIONS, ...ranked, summary: sendSummary(messages) }, [{ messages, assignee }]).then(
    (results) => journey.afterSend(messages, results, nowIso()),
    (err: unknown) => {
      if (!(err instanceof ActivityFailure)) throw err;
      const reason = err.cause instanceof ApplicationFailure ? (err.cause.type ?? 'delivery failed') : 'delivery failed';
      log.warn('messages handed over to a person', { steps: [...new Set(messages.map((m) => m.stepId))], reason });
      return handOver(journey, messages, reason, priority);
    },
  );
}

/** Hands messages to the butler as tasks, without sending them (or, in a preference order, to the next channel). */
function handOver(journey: JourneyRun, messages: SendMessageInput[], reason: string, priority?: Priority): Promise<unknown> {
  const ranked = priority ? { priority } : {};
  return store.handOverUnsentMessages
    .executeWithOptions({ ...STORE_OPTIONS, ...ranked, summary: sendSummary(messages, 'hand over unsent') }, [
      { messages, assignee: journey.input.butlerId, reason },
    ])
    .then(({ results }) => journey.afterSend(messages, results, nowIso()));
}

/** Messages still being delivered: a run waits for them before it ends. */
class InFlight {
  count = 0;
  constructor(private readonly settled: () => void) {}
  track(p: Promise<unknown>): void {
    this.count++;
    void p.then(() => {
      this.count--;
      this.settled();
    });
  }
}

function publishSearchAttributes(journey: JourneyRun): void {
  if (journey.input.searchAttributes === false) return;
  const { current, pathway } = journey;
  const wake = journey.nextWakeMs();
  const next = wake === null ? null : new Date(wake);
  const version = `${pathway.id}@${pathway.version}`;
  const signature = `${version}|${current.status}|${current.stage ?? ''}|${next?.toISOString() ?? ''}`;
  if (signature === journey.publishedSearchAttributes) return;
  journey.publishedSearchAttributes = signature;
  upsertSearchAttributes([
    { key: PathwayVersionKey, value: version },
    { key: StatusKey, value: current.status },
    { key: StageKey, value: current.stage ?? null },
    { key: NextActionAtKey, value: next },
  ]);
}
