/**
 * The shape of a recorded history, for the hand-coded yardstick: per workflow task, the activities
 * it scheduled (input and result payload bytes) and the timer it started.
 */
import type { Batch } from '../workflows/hand-coded.ts';

interface JsonPayloads {
  payloads?: { data?: string }[];
}
interface JsonEvent {
  eventId: string;
  eventType: string;
  activityTaskScheduledEventAttributes?: { input?: JsonPayloads };
  activityTaskCompletedEventAttributes?: { scheduledEventId: string; result?: JsonPayloads };
  timerStartedEventAttributes?: { startToFireTimeout?: string };
  markerRecordedEventAttributes?: { markerName?: string; details?: { result?: JsonPayloads } };
}

/** A history in protobuf JSON, as `historyToJSON` writes it. */
export interface JsonHistory {
  events: JsonEvent[];
}

const bytes = (p: JsonPayloads | undefined) => (p?.payloads ?? []).reduce((n, x) => n + Buffer.from(x.data ?? '', 'base64').length, 0);

/** Counts of what a history holds, and its batches for the hand-coded workflow. */
export function historyShape(history: JsonHistory): {
  events: number;
  activities: number;
  localActivities: number;
  timers: number;
  payloadBytes: number;
  bytesByEvent: Record<string, number>;
  batches: Batch[];
} {
  const results = new Map<string, number>();
  let payloadBytes = 0;
  const bytesByEvent: Record<string, number> = {};
  for (const e of history.events) {
    const done = e.activityTaskCompletedEventAttributes;
    if (done) results.set(done.scheduledEventId, bytes(done.result));
  }
  for (const e of history.events) {
    for (const value of Object.values(e)) {
      if (!value || typeof value !== 'object') continue;
      const n = payloadBytesIn(value);
      payloadBytes += n;
      const type = e.eventType.replace('EVENT_TYPE_', '').toLowerCase();
      if (n > 0) bytesByEvent[type] = (bytesByEvent[type] ?? 0) + n;
    }
  }
  const batches: Batch[] = [];
  let current: Batch | null = null;
  let activities = 0;
  let localActivities = 0;
  let timers = 0;
  for (const e of history.events) {
    if (e.eventType === 'EVENT_TYPE_WORKFLOW_TASK_COMPLETED') {
      current = [[], 0];
      batches.push(current);
    } else if (e.eventType === 'EVENT_TYPE_ACTIVITY_TASK_SCHEDULED' && current) {
      current[0].push([bytes(e.activityTaskScheduledEventAttributes?.input), results.get(e.eventId) ?? 0]);
      activities++;
    } else if (e.eventType === 'EVENT_TYPE_MARKER_RECORDED' && e.markerRecordedEventAttributes?.markerName === 'core_local_activity' && current) {
      (current[2] ??= []).push(bytes(e.markerRecordedEventAttributes.details?.result));
      localActivities++;
    } else if (e.eventType === 'EVENT_TYPE_TIMER_STARTED' && current) {
      const seconds = Number.parseFloat(e.timerStartedEventAttributes?.startToFireTimeout ?? '1s');
      current[1] = Math.max(1_000, Math.round(seconds * 1000));
      timers++;
    }
  }
  return {
    events: history.events.length,
    activities,
    localActivities,
    timers,
    payloadBytes,
    bytesByEvent,
    batches: batches.filter((b) => b[0].length > 0 || b[1] > 0 || (b[2]?.length ?? 0) > 0),
  };
}

/** Bytes of every payload under a value: lists (`payloads`) and maps (search attributes, memo, header fields). */
function payloadBytesIn(value: object): number {
  let n = 0;
  for (const [key, v] of Object.entries(value)) {
    if (key === 'payloads' && Array.isArray(v)) n += bytes({ payloads: v as { data?: string }[] });
    else if ((key === 'indexedFields' || key === 'fields') && v && typeof v === 'object') n += bytes({ payloads: Object.values(v) as { data?: string }[] });
    else if (v && typeof v === 'object') n += payloadBytesIn(v);
  }
  return n;
}
