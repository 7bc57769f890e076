// What one planning round of a journey writes and sends: the planner's actions turned into the
// inputs of the round's activities. Pure workflow code: deterministic, no I/O.
import type { SendMessageInput } from '../activities/messages.ts';
import type { RoundWrites } from '../activities/rounds.ts';
import type { CreateTaskInput } from '../activities/tasks.ts';
import type { Action, CompiledPathway } from '../pathway/planner/index.ts';
import type { JourneyInput } from './journey-definitions.ts';
import { callKey, parseKey } from '../pathway/model/keys.ts';
import { channelList } from '../pathway/model/channel-labels.ts';

/** `phone` is a call a person makes: it is a task to call, not an automatic message. */
const PERSON_CHANNELS = new Set(['phone']);
const byPhone = (channels: readonly string[]) => channels.some((c) => PERSON_CHANNELS.has(c));

/** A task of the round; `track` keeps it among the journey's open tasks (escalated, cancelled at the end). */
export interface RoundTask {
  input: CreateTaskInput;
  track: boolean;
}

/** A round under construction: database writes (one activity) and messages (one activity each). */
export class Round {
  readonly tasks: RoundTask[] = [];
  readonly escalations: RoundWrites['escalations'] = [];
  readonly closes: RoundWrites['closes'] = [];
  readonly events: RoundWrites['events'] = [];
  readonly messages: SendMessageInput[] = [];
  /** Messages the journey missed the window of while it was held up: for a person, not the gateway. */
  readonly handOvers: SendMessageInput[] = [];
  upgrade?: RoundWrites['upgrade'];
  ended?: RoundWrites['ended'];

  get empty(): boolean {
    return (
      !this.tasks.length &&
      !this.escalations.length &&
      !this.closes.length &&
      !this.events.length &&
      !this.messages.length &&
      !this.handOvers.length &&
      !this.upgrade &&
      !this.ended
    );
  }

  writes(enrollmentId: string): RoundWrites {
    const writes: RoundWrites = {
      enrollmentId,
      createTasks: this.tasks.map((t) => t.input),
      escalations: this.escalations,
      closes: this.closes,
      events: this.events,
    };
    if (this.upgrade) writes.upgrade = this.upgrade;
    if (this.ended) writes.ended = this.ended;
    return writes;
  }
}

/** What an action needs from the journey: its input, pathway, open tasks and resolved anchors. */
export interface ActionScope {
  input: JourneyInput;
  /** When the round runs (ISO 8601): the moment its tasks are issued. */
  now: string;
  pathway: CompiledPathway;
  openTasks: Readonly<Record<string, string>>;
  /** Every anchor as resolved now (given, corrected, derived or set by an event). */
  anchors: Readonly<Record<string, string>>;
  /** Data of the occurrence that caused this one (e.g. the booked appointment time). */
  sourceData(key: string): Record<string, unknown> | undefined;
}

/** Adds one action of the plan to the round. Every write and send is idempotent by the action's key. */
export function addAction(round: Round, scope: ActionScope, action: Action): void {
  switch (action.type) {
    case 'issue':
      return addIssue(round, scope, action);
    case 'remind':
      return addSends(round, scope, action, action.channels ?? [], 'patient', { reminder: true });
    case 'escalate': {
      const parsed = parseKey(action.key);
      const level = parsed?.followUp?.n ?? 1;
      const taskId = scope.openTasks[action.source ?? parsed?.occurrence ?? action.key];
      const channels = action.channels ?? [];
      if (!taskId) return addSends(round, scope, action, channels, action.role ?? 'on_call', { escalation_level: level });
      // One escalation, one thing to close: the open task moves up and, by phone, becomes the call.
      round.escalations.push({ taskId, level, role: action.role ?? 'on_call', assignee: null, ...(byPhone(channels) ? { call: true } : {}) });
      return addMessages(round, scope, action, channels, action.role ?? 'on_call', { escalation_level: level });
    }
  }
}

/**
 * A step whose window closed while the journey was held up: what it would have sent goes to a
 * person instead (one hand-over per message, as for a failed delivery); a call is a person's task anyway.
 */
export function addMissed(round: Round, scope: ActionScope, action: Action): void {
  const before = round.messages.length;
  addIssue(round, scope, action);
  // A missed window is a person's to judge: no later channel of a preference order sends it late.
  round.handOvers.push(...round.messages.splice(before).map(({ fallback: _, ...message }) => message));
}

function addIssue(round: Round, scope: ActionScope, action: Action): void {
  switch (action.kind) {
    case 'message':
    case 'questionnaire':
    case 'monitor':
      if (action.template || action.kind === 'questionnaire') addSends(round, scope, action, action.channels ?? [], action.audience ?? 'patient', {});
      return;
    case 'task':
    case 'approval':
      return addTask(round, scope, action, action.role ?? 'butler', true);
    case 'escalation':
      addTask(round, scope, action, action.role ?? 'on_call', true, byPhone(action.channels ?? []));
      return addMessages(round, scope, action, action.channels ?? [], action.role ?? 'on_call', {});
    case 'milestone':
      if (action.role) addTask(round, scope, action, action.role, true);
      return;
  }
}

function addTask(round: Round, scope: ActionScope, action: Action, role: string, track: boolean, call = false): void {
  // The SLA runs from when the task reaches the worklist: a task caught up for a patient who
  // enrolled late is not born overdue.
  const issued = Math.max(Date.parse(action.at), Date.parse(scope.now));
  const due = action.slaMinutes !== undefined ? new Date(issued + action.slaMinutes * 60_000).toISOString() : null;
  round.tasks.push({
    track,
    input: {
      enrollmentId: scope.input.enrollmentId,
      stepId: action.step,
      occurrenceKey: action.key,
      code: action.code ?? null,
      kind: action.kind,
      title: action.title ?? action.step,
      role,
      assignee: role === 'butler' ? scope.input.butlerId : null,
      urgent: action.urgency === 'urgent',
      call,
      dueAt: due,
    },
  });
}

/**
 * A message on every automatic channel; a person channel (phone) becomes a call task, untracked:
 * used where no task of the step is open to carry the call.
 */
function addSends(round: Round, scope: ActionScope, action: Action, channels: string[], audience: string, extra: Record<string, unknown>): void {
  // In a preference order, the call is the last resort: a task only when nothing else delivered.
  if (byPhone(channels) && action.fallbackAfter === undefined) {
    const call = { ...action, key: callKey(action.key), title: `电话联系: ${action.title ?? action.step}` };
    addTask(round, scope, call, audience === 'patient' ? 'butler' : audience, false, true);
  }
  addMessages(round, scope, action, channels, audience, extra);
}

/**
 * A message on every automatic channel of the action; person channels are left to its task. A
 * preference order (`fallbackAfter`) sends on its first channel only, carrying the rest.
 */
function addMessages(round: Round, scope: ActionScope, action: Action, channels: string[], audience: string, extra: Record<string, unknown>): void {
  const template = action.template ?? (action.questionnaire ? 'questionnaire_invite' : undefined);
  if (!template) return;
  const variables = { ...templateVariables(scope, action), ...extra };
  const message = (channel: string): SendMessageInput => ({
    enrollmentId: scope.input.enrollmentId,
    patientRef: scope.input.patientRef,
    stepId: action.step,
    occurrenceKey: action.key,
    channel,
    audience,
    templateId: template,
    variables,
    urgent: action.urgency === 'urgent',
  });
  if (action.fallbackAfter !== undefined) {
    const [first, ...next] = channels;
    if (first === undefined) return;
    const fallback = { next, withinMinutes: action.fallbackAfter, title: action.title ?? action.step, kind: action.kind };
    round.messages.push(next.length ? { ...message(first), fallback } : message(first));
    return;
  }
  for (const channel of channels) {
    if (!PERSON_CHANNELS.has(channel)) round.messages.push(message(channel));
  }
}

/**
 * The last resort of a preference order: a call task for a person, because no channel before it
 * reached the patient (untracked, as the call of a message step is).
 */
export function addFallbackCall(round: Round, scope: Pick<ActionScope, 'input'>, message: SendMessageInput, tried: readonly string[]): void {
  const fallback = message.fallback!;
  const role = message.audience === 'patient' ? 'butler' : message.audience;
  round.tasks.push({
    track: false,
    input: {
      enrollmentId: scope.input.enrollmentId,
      stepId: message.stepId,
      occurrenceKey: callKey(message.occurrenceKey),
      code: null,
      kind: fallback.kind,
      title: `电话联系: ${fallback.title}（${channelList(tried)}未送达）`,
      role,
      assignee: role === 'butler' ? scope.input.butlerId : null,
      urgent: message.urgent,
      call: true,
      dueAt: null,
    },
  });
}

/**
 * Variables a template may use: the step's title and code, the stage, every anchor as resolved
 * now, and the data of the occurrence that caused this one. The patient's name is added by the
 * send activity from the patient directory: it never enters the workflow.
 */
function templateVariables(scope: ActionScope, action: Action): Record<string, unknown> {
  const stage = action.stage ? (scope.pathway.stages.find((s) => s.id === action.stage)?.title ?? action.stage) : undefined;
  const vars: Record<string, unknown> = { ...scope.anchors, title: action.title ?? action.step, step: action.step };
  if (stage !== undefined) vars.stage = stage;
  if (action.code) vars.code = action.code;
  if (action.metric) vars.metric = action.metric;
  if (action.questionnaire) vars.questionnaire = action.questionnaire;
  for (const [key, value] of Object.entries((action.source ? scope.sourceData(action.source) : undefined) ?? {})) {
    if (value === null || typeof value !== 'object') vars[key] = value;
  }
  return vars;
}
