// The one owner of the step kinds and of what each kind means for the people involved. Pure:
// the compiler, the planner and the workflow import it. (The JSON schema lists the same kinds
// for editors; a test checks the two agree.)

export const STEP_KINDS = ['message', 'task', 'questionnaire', 'approval', 'escalation', 'monitor', 'milestone'] as const;
export type StepKind = (typeof STEP_KINDS)[number];

/**
 * Kinds whose issued occurrence waits for someone: it is reminded and escalated while open, and
 * cancelled when the journey or its stage ends. A milestone's task is not awaited this way.
 */
export const AWAITED_KINDS: ReadonlySet<StepKind> = new Set(['task', 'approval', 'escalation', 'questionnaire']);

/** Kinds staff complete (the completeStep update); a questionnaire is answered by the patient instead. */
export const STAFF_COMPLETED_KINDS: ReadonlySet<StepKind> = new Set(['task', 'approval', 'escalation', 'milestone']);

/** Kinds the journey view lists as open: something still to be done by staff or the patient. */
export const OPEN_VIEW_KINDS: ReadonlySet<StepKind> = new Set([...AWAITED_KINDS, ...STAFF_COMPLETED_KINDS]);
