/**
 * A pathway's planned timeline as one self-contained HTML page (no scripts, no external assets,
 * styles inline): stages as bands over columns of gestational weeks, cycle days or weeks after the
 * anchor; a lane per step kind with each step's code; quiet hours and when messages go; every
 * step listed with its title, and skipped ones with why. Pure: the same input gives the same page.
 * `carepath preview --html` writes it; the console shows it (GET /v1/pathways/:id/preview?format=html).
 */
import type { CompiledPathway } from '../model/compiled.ts';
import { STEP_KINDS } from '../model/step-kinds.ts';
import type { Projection, TimelineEntry } from '../planner/project.ts';

export interface TimelinePageInput {
  pathway: CompiledPathway;
  projection: Projection;
  enrolledAt: string;
  anchors: Record<string, string>;
  /** The file or route it was made from, shown in the header. */
  source?: string;
}

const KIND_TITLES: Record<string, string> = {
  message: '消息',
  task: '任务',
  questionnaire: '问卷',
  approval: '审批',
  escalation: '升级',
  monitor: '监测',
  milestone: '节点',
};

const REASONS: Record<string, string> = {
  'late-enrolment': '入组晚于窗口',
  'window-passed': '窗口已过',
  'held-up': '前置未完成',
  'condition-false': '条件不满足',
  'entitlement-exhausted': '权益已用完',
  paused: '暂停期间',
  'stage-ended': '阶段已结束',
};

const BANDS = ['#d8efe8', '#dbe7f7', '#f6e6cf', '#eadcf3', '#f3dada', '#e3ecd2', '#d9ecf2'];

interface Column {
  label: string;
  entries: TimelineEntry[];
}

interface Slot {
  /** Pregnancy, after the birth, cycle days, days after the anchor, calendar weeks: each its own run. */
  group: string;
  index: number;
  label: (index: number) => string;
}

/** The column an entry falls in: `孕12周`, `产后第1周`, `CD12`, `D+28–34`, else the local week of its time. */
function slotOf(e: TimelineEntry, offset: number): Slot {
  const age = e.age ?? '';
  let m = /^(\d+)\+\d$/.exec(age);
  if (m) return { group: 'ga', index: Number(m[1]), label: (i) => `孕${i}周` };
  m = /^产后D\+(\d+)$/.exec(age);
  if (m) return { group: 'postpartum', index: Math.floor(Number(m[1]) / 7), label: (i) => `产后第${i + 1}周` };
  m = /^CD(-?\d+)$/.exec(age);
  if (m) return { group: 'cd', index: Number(m[1]), label: (i) => `CD${i}` };
  m = /^D([+-])(\d+)$/.exec(age);
  if (m) {
    const d = Number(m[2]) * (m[1] === '-' ? -1 : 1);
    return { group: 'days', index: Math.floor(d / 7), label: (i) => `D${i < 0 ? '' : '+'}${i * 7}–${i * 7 + 6}` };
  }
  const week = Math.floor((Date.parse(e.at) + offset * 60_000 - 4 * 86_400_000) / (7 * 86_400_000)); // weeks from a Monday
  return { group: 'calendar', index: week, label: (i) => `${new Date((i * 7 + 4) * 86_400_000).toISOString().slice(5, 10)} 周` };
}

/** Columns in time order; the empty weeks or days inside a run are kept, so distance reads as time. */
function columnsOf(entries: readonly TimelineEntry[], offset: number): Column[] {
  const columns: Column[] = [];
  let last: { group: string; index: number } | undefined;
  const byKey = new Map<string, Column>();
  for (const e of entries) {
    const slot = slotOf(e, offset);
    const key = `${slot.group}/${slot.index}`;
    let column = byKey.get(key);
    if (!column) {
      if (last && last.group === slot.group && slot.index > last.index && slot.index - last.index <= 60) {
        for (let i = last.index + 1; i < slot.index; i++) columns.push({ label: slot.label(i), entries: [] });
      }
      column = { label: slot.label(slot.index), entries: [] };
      byKey.set(key, column);
      columns.push(column);
    }
    column.entries.push(e);
    if (!last || last.group !== slot.group || slot.index > last.index) last = { group: slot.group, index: slot.index };
  }
  return columns;
}

/** Runs of neighbouring columns whose entries mostly belong to one stage. */
function stageRuns(columns: readonly Column[]): { stage: string | undefined; span: number }[] {
  const runs: { stage: string | undefined; span: number }[] = [];
  for (const c of columns) {
    const counts = new Map<string | undefined, number>();
    for (const e of c.entries) counts.set(e.stage, (counts.get(e.stage) ?? 0) + 1);
    const last = runs[runs.length - 1];
    const stage = c.entries.length ? [...counts].sort((a, b) => b[1] - a[1])[0]?.[0] : last?.stage;
    if (last && last.stage === stage) last.span++;
    else runs.push({ stage, span: 1 });
  }
  return runs;
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const clock = (minutes: number) => `${String(Math.floor(minutes / 60) % 24).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
const shown = (iso: string) => iso.slice(0, 16).replace('T', ' ');

function chip(e: TimelineEntry): string {
  const held = e.plannedAt && e.plannedAt !== e.at ? `；计划 ${shown(e.plannedAt)}，顺延` : '';
  const why = e.reason ? `；${REASONS[e.reason] ?? e.reason}` : '';
  const tip = `${shown(e.at)} ${e.title ?? e.step}（${e.code ?? e.step}）${held}${why}`;
  return `<span class="chip ${e.kind} ${e.status}" title="${esc(tip)}">${esc(e.code ?? e.step)}</span>`;
}

function statusCell(e: TimelineEntry): string {
  if (e.status === 'skipped') return `跳过：${esc(REASONS[e.reason ?? ''] ?? e.reason ?? '')}`;
  if (e.status === 'cancelled') return `取消：${esc(REASONS[e.reason ?? ''] ?? e.reason ?? '')}`;
  if (e.plannedAt && e.plannedAt !== e.at) return `计划 ${esc(shown(e.plannedAt))}，顺延`;
  return e.status === 'recorded' ? '已记录' : '计划';
}

/** The page. */
export function timelinePage(input: TimelinePageInput): string {
  const { pathway: p, projection } = input;
  const offset = p.timezone.offsetMinutes;
  const entries = projection.entries;
  const columns = columnsOf(entries, offset);
  const stageTitle = new Map(p.stages.map((s) => [s.id, s.title ?? s.id]));
  const stageColour = new Map(p.stages.map((s, i) => [s.id, BANDS[i % BANDS.length]!]));
  const kinds = [...STEP_KINDS].filter((k) => entries.some((e) => e.kind === k));
  const grid = `grid-template-columns: 5em repeat(${Math.max(columns.length, 1)}, 7.5em)`;

  const bands = stageRuns(columns)
    .map(
      (r) =>
        `<div class="band" style="grid-column: span ${r.span}; background: ${r.stage ? stageColour.get(r.stage) : '#eee'}">${esc(r.stage ? (stageTitle.get(r.stage) ?? r.stage) : '—')}</div>`,
    )
    .join('');
  const heads = columns.map((c) => `<div class="head">${esc(c.label)}</div>`).join('');
  const lanes = kinds
    .map(
      (k) =>
        `<div class="lane">${esc(KIND_TITLES[k] ?? k)}</div>` +
        columns
          .map(
            (c) =>
              `<div class="cell">${c.entries
                .filter((e) => e.kind === k)
                .map(chip)
                .join('')}</div>`,
          )
          .join(''),
    )
    .join('');

  // When messages go, by hour of the day, with quiet hours shaded.
  const hours = Array.from({ length: 24 }, () => 0);
  for (const e of entries) if (e.kind === 'message' && e.status === 'planned') hours[Number(e.at.slice(11, 13))]!++;
  const most = Math.max(1, ...hours);
  const { start, end } = p.quietHours;
  const quiet = (h: number) => (start > end ? h * 60 >= start || h * 60 < end : h * 60 >= start && h * 60 < end);
  const clockStrip = hours
    .map(
      (n, h) =>
        `<div class="hour${quiet(h) ? ' quiet' : ''}" title="${h}:00 ${n} 条"><div class="bar" style="height: ${Math.round((n / most) * 100)}%"></div><span>${h}</span></div>`,
    )
    .join('');

  const list = columns
    .filter((c) => c.entries.length)
    .map(
      (c) =>
        `<h3>${esc(c.label)}</h3><table><thead><tr><th>时间</th><th>编码</th><th>标题</th><th>类型</th><th>阶段</th><th>执行</th><th>状态</th></tr></thead><tbody>` +
        c.entries
          .map(
            (e) =>
              `<tr class="${e.status}"><td>${esc(shown(e.at))}</td><td><code>${esc(e.code ?? e.step)}</code></td><td>${esc(e.title ?? '')}</td><td>${esc(KIND_TITLES[e.kind] ?? e.kind)}</td><td>${esc(e.stage ? (stageTitle.get(e.stage) ?? e.stage) : '')}</td><td>${esc(e.role ?? e.channels?.join(e.fallbackAfter === undefined ? ', ' : ' → ') ?? '')}</td><td>${statusCell(e)}</td></tr>`,
          )
          .join('') +
        '</tbody></table>',
    )
    .join('');

  const counts = ['planned', 'skipped', 'cancelled'].map((s) => entries.filter((e) => e.status === s).length);
  const notProjected = projection.notProjected.length
    ? `<h2>不在此时间线上</h2><ul>${projection.notProjected.map((n) => `<li><code>${esc(n.step)}</code>：${esc(n.why)}</li>`).join('')}</ul>`
    : '';
  const estimated = projection.estimated.length ? `<p>按预估：${esc(projection.estimated.join('；'))}</p>` : '';

  return `<!doctype html>
<html lang="${esc(p.locale || 'zh-CN')}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(p.title)} · v${esc(p.version)}</title>
<style>
body { font: 14px/1.5 system-ui, "PingFang SC", "Noto Sans CJK SC", "WenQuanYi Zen Hei", sans-serif; margin: 16px; color: #222; }
h1 { font-size: 20px; margin: 0 0 4px; } h2 { font-size: 16px; margin: 20px 0 8px; } h3 { font-size: 14px; margin: 14px 0 4px; }
.meta { color: #555; margin: 0; }
.scroll { overflow-x: auto; border: 1px solid #ddd; border-radius: 6px; }
.grid { display: grid; ${grid}; width: max-content; }
.grid > div { border-right: 1px solid #eee; border-bottom: 1px solid #eee; padding: 2px 4px; }
.band { font-weight: 600; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.head { font-size: 12px; color: #444; background: #fafafa; white-space: nowrap; }
.lane { font-size: 12px; color: #444; background: #fafafa; position: sticky; left: 0; }
.corner { background: #fafafa; position: sticky; left: 0; }
.cell { display: flex; flex-wrap: wrap; gap: 2px; align-content: flex-start; }
.chip { font: 11px ui-monospace, monospace; border-radius: 3px; padding: 0 3px; background: #e8e8e8; white-space: nowrap; max-width: 100%; overflow: hidden; text-overflow: ellipsis; }
.chip.message { background: #cfe8ff; } .chip.task { background: #ffe2b8; } .chip.questionnaire { background: #e0d4ff; }
.chip.approval { background: #c9f0d6; } .chip.escalation { background: #ffc9c9; } .chip.milestone { background: #f0f0a8; }
.chip.skipped, .chip.cancelled { background: #fff; border: 1px dashed #999; text-decoration: line-through; color: #777; }
.clock { display: grid; grid-template-columns: repeat(24, 1fr); height: 64px; max-width: 720px; border: 1px solid #ddd; }
.hour { position: relative; display: flex; align-items: flex-end; justify-content: center; border-right: 1px solid #f0f0f0; }
.hour.quiet { background: repeating-linear-gradient(45deg, #f1f1f6, #f1f1f6 4px, #e4e4ee 4px, #e4e4ee 8px); }
.hour .bar { position: absolute; bottom: 14px; left: 20%; right: 20%; background: #0e7c66; }
.hour span { font-size: 10px; color: #666; }
table { border-collapse: collapse; width: 100%; font-size: 13px; }
th, td { text-align: left; border-bottom: 1px solid #eee; padding: 2px 6px; vertical-align: top; }
tr.skipped td, tr.cancelled td { color: #888; }
tr.skipped td:nth-child(3), tr.cancelled td:nth-child(3) { text-decoration: line-through; }
</style>
</head>
<body>
<h1>${esc(p.title)}</h1>
<p class="meta"><code>${esc(p.id)}</code> v${esc(p.version)} · ${esc(p.hash.replace('sha256:', '').slice(0, 12))}${input.source ? ` · ${esc(input.source)}` : ''} · 时区 ${esc(p.timezone.name)}</p>
<p class="meta">入组 ${esc(shown(input.enrolledAt))} · ${Object.entries(input.anchors)
    .map(([k, v]) => `${esc(p.anchors[k]?.title ?? k)} ${esc(v)}`)
    .join(' · ')} · 计划 ${counts[0]}，跳过 ${counts[1]}${counts[2] ? `，取消 ${counts[2]}` : ''} · 旅程 ${esc(projection.status)}</p>
${estimated}
<h2>时间线</h2>
<div class="scroll"><div class="grid">
<div class="corner">阶段</div>${bands}
<div class="corner"></div>${heads}
${lanes}
</div></div>
<h2>消息发送时段（免打扰 ${clock(start)}–${clock(end)}，其间的常规消息顺延至 ${clock(end)}）</h2>
<div class="clock">${clockStrip}</div>
<h2>全部步骤</h2>
${list}
${notProjected}
</body>
</html>
`;
}
