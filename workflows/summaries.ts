// One-line summaries of what a journey's commands are for, shown in the Temporal Web UI and
// `temporal workflow show` next to each activity and timer. Pathway terms only (step ids,
// occurrence keys, channels, stage, time): never patient data. They are payloads like any other,
// so the codec encrypts them. Workflow code: deterministic, no I/O.
import type { SendMessageInput } from '../activities/messages.ts';
import type { Round } from './journey-round.ts';

const MAX = 200;

function clip(text: string): string {
  return text.length <= MAX ? text : `${text.slice(0, MAX - 1)}…`;
}

function list(keys: readonly string[], shown = 4): string {
  const head = keys.slice(0, shown).join(', ');
  return keys.length > shown ? `${head} +${keys.length - shown} more` : head;
}

/** `tasks book_v1#1, welcome_call#1 · escalate 1 · close 2 · timeline 3 · ended completed`. */
export function roundSummary(round: Round): string {
  const parts: string[] = [];
  if (round.tasks.length) parts.push(`tasks ${list(round.tasks.map((t) => t.input.occurrenceKey))}`);
  if (round.escalations.length) parts.push(`escalate ${round.escalations.length} (level ${round.escalations.map((e) => e.level).join(', ')})`);
  if (round.closes.length) parts.push(`close ${round.closes.length} (${[...new Set(round.closes.map((c) => c.status))].join(', ')})`);
  if (round.events.length) parts.push(`timeline ${round.events.length}`);
  if (round.upgrade) parts.push(`upgrade to v${round.upgrade.version}`);
  if (round.ended) parts.push(`ended ${round.ended.status}`);
  return clip(`round: ${parts.join(' · ') || 'nothing'}`);
}

/** `send welcome#1 (wechat, sms), epds_early#1 (wechat, app)`. */
export function sendSummary(messages: readonly SendMessageInput[], verb = 'send'): string {
  const byKey = new Map<string, string[]>();
  for (const m of messages) byKey.set(m.occurrenceKey, [...(byKey.get(m.occurrenceKey) ?? []), m.channel]);
  return clip(`${verb} ${list([...byKey].map(([key, channels]) => `${key} (${channels.join(', ')})`))}`);
}

/** `next planned moment 2027-03-01T09:00:00+08:00 (stage early)`. */
export function wakeSummary(nextWakeAt: string | null, stage: string | undefined): string {
  return clip(`next planned moment ${nextWakeAt ?? 'none'}${stage ? ` (stage ${stage})` : ''}`);
}
