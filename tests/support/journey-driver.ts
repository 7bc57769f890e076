import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { CompiledPathway } from '../../pathway/planner/index.ts';
import {
  completeStepUpdate,
  journeyViewQuery,
  recordEventUpdate,
  setAnchorUpdate,
  submitAnswersUpdate,
  type JourneyView,
} from '../../workflows/journey-definitions.ts';

/** What happens to a patient during a scripted journey, by day since enrolment. */
export interface Scenario {
  /** Anchors at enrolment. */
  anchors: Record<string, string>;
  variables?: Record<string, boolean | number | string>;
  /** Days to run at most; the journey may end earlier. */
  days: number;
  events?: { day: number; name: string }[];
  /** Anchors set or corrected later (e.g. an EDD re-dated by ultrasound, a trigger time). */
  corrections?: { day: number; name: string; value: string }[];
  /** Score every questionnaire item gets (default 0). */
  answerScore?: number;
}

const DAY = 86_400_000;

/**
 * Plays a cooperative care team against a running journey on the time-skipping server: every day
 * at noon (UTC+8) it completes each open task with plausible data, answers each open
 * questionnaire, and records the scenario's events and corrections on their days.
 */
export async function driveJourney(env: TestWorkflowEnvironment, handle: WorkflowHandle, pathway: CompiledPathway, scenario: Scenario): Promise<JourneyView> {
  const start = await env.currentTimeMs();
  const firstNoon = Math.ceil((start + 8 * 3_600_000 - 12 * 3_600_000) / DAY) * DAY + 12 * 3_600_000 - 8 * 3_600_000;
  let view: JourneyView;
  for (let day = 0; day < scenario.days; day++) {
    const target = firstNoon + day * DAY;
    const now = await env.currentTimeMs();
    if (target > now) await env.sleep(target - now);
    view = await settled(handle);
    if (isClosed(view)) break;
    for (const correction of scenario.corrections?.filter((c) => c.day === day) ?? []) {
      await handle.executeUpdate(setAnchorUpdate, { args: [{ name: correction.name, value: correction.value, by: 'doctor-1' }] });
    }
    for (const event of scenario.events?.filter((e) => e.day === day) ?? []) {
      await handle.executeUpdate(recordEventUpdate, { args: [{ name: event.name, id: `${event.name}-${day}`, by: 'nurse-1' }] });
    }
    view = await settled(handle);
    for (const item of view.open) {
      const step = pathway.steps.find((s) => s.id === item.step)!;
      if (step.kind === 'questionnaire') {
        const items = Object.fromEntries((pathway.questionnaires[step.questionnaire]?.items ?? []).map((id) => [id, scenario.answerScore ?? 0]));
        await handle.executeUpdate(submitAnswersUpdate, { args: [{ key: item.key, items, by: 'patient' }] });
      } else {
        await handle.executeUpdate(completeStepUpdate, { args: [{ key: item.key, data: producedData(step, target), by: 'butler-1' }] });
      }
    }
  }
  return settled(handle);
}

function isClosed(view: JourneyView): boolean {
  return (view.status === 'ended' || view.status === 'completed') && view.open.length === 0 && view.nextWakeAt === null;
}

/** Waits until the journey has no activity or workflow task in flight, then returns its view. */
async function settled(handle: WorkflowHandle): Promise<JourneyView> {
  for (let i = 0; i < 200; i++) {
    const description = await handle.describe();
    const raw = description.raw as { pendingActivities?: unknown[]; pendingWorkflowTask?: unknown };
    if (description.status.name !== 'RUNNING') return handle.query(journeyViewQuery);
    if (!raw.pendingActivities?.length && !raw.pendingWorkflowTask) return handle.query(journeyViewQuery);
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('the journey did not settle');
}

/** Data a task plausibly produces: an appointment three days on at 10:00 (UTC+8), and so on. */
function producedData(step: CompiledPathway['steps'][number], now: number): Record<string, string | number | boolean> {
  if (step.kind === 'approval') return { approved: true };
  if (step.kind !== 'task') return {};
  const day = new Date(now + 8 * 3_600_000 + 3 * DAY).toISOString().slice(0, 10);
  const data: Record<string, string | number | boolean> = {};
  for (const [field, type] of Object.entries(step.produces)) {
    data[field] =
      type === 'datetime' ? `${day}T10:00:00+08:00` : type === 'date' ? day : type === 'bool' ? true : type === 'int' ? 1 : type === 'double' ? 1.5 : 'ok';
  }
  return data;
}
