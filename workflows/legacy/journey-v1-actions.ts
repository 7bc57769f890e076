// Carrying out the planner's actions through activities. Workflow code: deterministic, no I/O.
import { ActivityFailure, ApplicationFailure, log, patched, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../../activities/index.ts';
import type { SendMessageInput } from '../../activities/messages.ts';
import { resolvedAnchors, type Action, type CompiledPathway, type JourneyState } from '../../pathway/planner/index.ts';
import type { JourneyInput } from '../journey-definitions.ts';

/** Database work: retried until the database answers again (a journey must not lose a step). */
const store = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes' },
});

/**
 * Message delivery: retried with backoff for about an hour; after the last attempt the message
 * is handed to a person as a task.
 */
const delivery = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '10 seconds', backoffCoefficient: 2, maximumInterval: '15 minutes', maximumAttempts: 8 },
});

/** `phone` is a call a person makes: it becomes a task, not an automatic message. */
const PERSON_CHANNELS = new Set(['phone']);

export interface ActionContext {
  input: JourneyInput;
  pathway: CompiledPathway;
  state: JourneyState;
  /** Open tasks by occurrence key, updated in place. */
  openTasks: Record<string, string>;
}

/** Carries out one action. Every activity it calls is idempotent by the action's key. */
export async function performAction(ctx: ActionContext, action: Action): Promise<void> {
  switch (action.type) {
    case 'issue':
      return issue(ctx, action);
    case 'remind':
      return sendAll(ctx, action, action.channels ?? [], 'patient', { reminder: true });
    case 'escalate':
      return escalate(ctx, action);
  }
}

async function issue(ctx: ActionContext, action: Action): Promise<void> {
  switch (action.kind) {
    case 'message':
    case 'questionnaire':
    case 'monitor':
      if (action.template || action.kind === 'questionnaire') {
        await sendAll(ctx, action, action.channels ?? [], action.audience ?? 'patient', {});
      }
      return;
    case 'task':
    case 'approval':
      await createTask(ctx, action, action.role ?? 'butler');
      return;
    case 'escalation':
      await createTask(ctx, action, action.role ?? 'on_call');
      await sendAll(ctx, action, action.channels ?? [], action.role ?? 'on_call', {});
      return;
    case 'milestone':
      if (action.role) await createTask(ctx, action, action.role);
      return;
  }
}

async function escalate(ctx: ActionContext, action: Action): Promise<void> {
  const sourceKey = action.source ?? action.key.split('/')[0]!;
  const taskId = ctx.openTasks[sourceKey];
  const level = Number(/escalate-(\d+)$/.exec(action.key)?.[1] ?? '1');
  if (taskId) {
    await store.escalateTask({ taskId, level, role: action.role ?? 'on_call', assignee: null });
  }
  await sendAll(ctx, action, action.channels ?? [], action.role ?? 'on_call', { escalation_level: level });
}

/**
 * Creates the task; `track` keeps it among the journey's open tasks (escalated, cancelled at the
 * end). Side tasks (a phone call, a hand-over) are closed in the worklist only, not tracked.
 */
async function createTask(ctx: ActionContext, action: Action, role: string, track = true): Promise<void> {
  const due = action.slaMinutes !== undefined ? new Date(Date.parse(action.at) + action.slaMinutes * 60_000).toISOString() : null;
  const ref = await store.createTask({
    enrollmentId: ctx.input.enrollmentId,
    stepId: action.step,
    occurrenceKey: action.key,
    code: action.code ?? null,
    kind: action.kind,
    title: action.title ?? action.step,
    role,
    assignee: role === 'butler' ? ctx.input.butlerId : null,
    urgent: action.urgency === 'urgent',
    dueAt: due,
  });
  if (track && ref.status === 'open') ctx.openTasks[action.key] = ref.taskId;
}

/** Sends on every channel at once; a channel that keeps failing becomes a task for a person. */
async function sendAll(ctx: ActionContext, action: Action, channels: string[], audience: string, extra: Record<string, unknown>): Promise<void> {
  const automatic = channels.filter((c) => !PERSON_CHANNELS.has(c));
  if (channels.some((c) => PERSON_CHANNELS.has(c))) {
    // Journeys recorded before this patch tracked the call task (and cancelled it at the end).
    const track = !patched('untracked-call-tasks');
    await createTask(
      ctx,
      { ...action, key: `${action.key}/call`, title: `电话联系: ${action.title ?? action.step}` },
      audience === 'patient' ? 'butler' : audience,
      track,
    );
  }
  const template = action.template ?? (action.questionnaire ? 'questionnaire_invite' : undefined);
  if (!template) return;
  await Promise.all(
    automatic.map(async (channel) => {
      const message: SendMessageInput = {
        enrollmentId: ctx.input.enrollmentId,
        patientRef: ctx.input.patientRef,
        stepId: action.step,
        occurrenceKey: action.key,
        channel,
        audience,
        templateId: template,
        variables: { ...templateVariables(ctx, action), ...extra },
        urgent: action.urgency === 'urgent',
      };
      try {
        await delivery.sendMessage(message);
      } catch (err) {
        if (!(err instanceof ActivityFailure)) throw err;
        const reason = err.cause instanceof ApplicationFailure ? (err.cause.type ?? 'delivery failed') : 'delivery failed';
        log.warn('message handed over to a person', { step: action.step, channel, reason });
        await store.handOverUndeliverableMessage({ ...message, role: 'butler', assignee: ctx.input.butlerId, reason });
      }
    }),
  );
}

/**
 * Variables a template may use: the step's title and code, the stage, every anchor as resolved
 * now (given, corrected, derived or set by an event), and the data of
 * the occurrence that caused this one (e.g. the booked appointment time). The patient's name is
 * added by the send activity from the patient directory: it never enters the workflow.
 */
function templateVariables(ctx: ActionContext, action: Action): Record<string, unknown> {
  const stage = action.stage ? (ctx.pathway.stages.find((s) => s.id === action.stage)?.title ?? action.stage) : undefined;
  const anchors = resolvedAnchors(ctx.pathway, ctx.state, new Date(Date.now()).toISOString());
  const vars: Record<string, unknown> = { ...anchors, title: action.title ?? action.step, step: action.step };
  if (stage !== undefined) vars.stage = stage;
  if (action.code) vars.code = action.code;
  if (action.metric) vars.metric = action.metric;
  if (action.questionnaire) vars.questionnaire = action.questionnaire;
  const source = action.source ? ctx.state.occurrences?.[action.source]?.data : undefined;
  for (const [key, value] of Object.entries(source ?? {})) {
    if (value === null || typeof value !== 'object') vars[key] = value;
  }
  return vars;
}
