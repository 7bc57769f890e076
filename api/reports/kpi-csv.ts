import type { KpiFigures, KpiReport } from './kpi.ts';

const COLUMNS: [string, (f: KpiFigures) => number | null][] = [
  ['advance_notice_nodes', (f) => f.advanceNotice.nodes],
  ['advance_notice_announced', (f) => f.advanceNotice.announced],
  ['advance_notice_rate', (f) => f.advanceNotice.rate],
  ['tasks_due', (f) => f.taskOnTime.due],
  ['tasks_on_time', (f) => f.taskOnTime.onTime],
  ['task_on_time_rate', (f) => f.taskOnTime.rate],
  ['inquiries_asked', (f) => f.inquiryResponse.asked],
  ['inquiries_answered', (f) => f.inquiryResponse.answered],
  ['inquiry_response_p50_min', (f) => f.inquiryResponse.p50Minutes],
  ['inquiry_response_p90_min', (f) => f.inquiryResponse.p90Minutes],
  ['inquiry_response_max_min', (f) => f.inquiryResponse.maxMinutes],
  ['inquiry_within_30min_rate', (f) => f.inquiryResponse.within30MinRate],
  ['inquiry_within_target_rate', (f) => f.inquiryResponse.withinTargetRate],
  ['followups_due', (f) => f.followUpCompletion.due],
  ['followups_completed', (f) => f.followUpCompletion.completed],
  ['followup_completion_rate', (f) => f.followUpCompletion.rate],
  ['questionnaires_issued', (f) => f.questionnaireResponse.issued],
  ['questionnaires_answered', (f) => f.questionnaireResponse.answered],
  ['questionnaire_response_rate', (f) => f.questionnaireResponse.rate],
];

/**
 * The report as CSV: one row for all, one per program, one per butler; an empty cell where a
 * figure has nothing to count. Cells that could start a spreadsheet formula are quoted harmless.
 */
export function kpiReportCsv(report: KpiReport): string {
  const header = ['scope', 'group', 'from', 'to', ...COLUMNS.map(([name]) => name)];
  const row = (scope: string, group: string, f: KpiFigures) => [scope, group, report.from, report.to, ...COLUMNS.map(([, pick]) => pick(f))];
  const rows = [
    row('overall', report.program ?? 'all', report.overall),
    ...report.byProgram.map((p) => row('program', p.program, p)),
    ...report.byButler.map((b) => row('butler', b.butler, b)),
  ];
  return [header, ...rows].map((cells) => cells.map(cell).join(',')).join('\r\n') + '\r\n';
}

function cell(value: string | number | null): string {
  if (value === null) return '';
  if (typeof value === 'number') return String(value);
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
