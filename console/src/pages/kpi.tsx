import { Alert, Button, Card, Col, DatePicker, Row, Select, Space, Statistic, Table, Typography } from 'antd';
import type { Dayjs } from 'dayjs';
import { useMemo, useState } from 'react';
import { errorText } from '../errors.ts';
import { api, query } from '../api.ts';
import { Chart, type ChartOption } from '../components/chart.tsx';
import { useI18n, type Translate } from '../i18n.tsx';
import { hospitalWallClock, zonedDayStart } from '../format.ts';
import type { PathwaySummary } from '../types.ts';
import { useLoad } from '../use-load.ts';

interface Figures {
  advanceNotice: { nodes: number; announced: number; rate: number | null };
  taskOnTime: { due: number; onTime: number; rate: number | null };
  inquiryResponse: {
    asked: number;
    answered: number;
    p50Minutes: number | null;
    p90Minutes: number | null;
    maxMinutes: number | null;
    within30MinRate: number | null;
  };
  followUpCompletion: { due: number; completed: number; rate: number | null };
  questionnaireResponse: { issued: number; answered: number; rate: number | null };
}

interface KpiReport {
  overall: Figures;
  byProgram: (Figures & { program: string })[];
  byButler: (Figures & { butler: string })[];
}

const percent = (rate: number | null) => (rate === null ? '—' : `${(rate * 100).toFixed(1)}%`);
const pct = (rate: number | null) => (rate === null ? null : Math.round(rate * 1000) / 10);

function rateChart(rows: (Figures & { label: string })[], t: Translate): ChartOption {
  const series = [
    ['advanceNoticeRate', (f: Figures) => f.advanceNotice.rate],
    ['onTimeRate', (f: Figures) => f.taskOnTime.rate],
    ['followUpRate', (f: Figures) => f.followUpCompletion.rate],
    ['within30', (f: Figures) => f.inquiryResponse.within30MinRate],
  ] as const;
  return {
    tooltip: { trigger: 'axis', valueFormatter: (v: unknown) => (v === null || v === undefined ? '—' : `${String(v)}%`) },
    legend: { top: 0 },
    grid: { left: 48, right: 16, top: 40, bottom: 48 },
    xAxis: { type: 'category', data: rows.map((r) => r.label), axisLabel: { interval: 0, rotate: rows.length > 4 ? 20 : 0 } },
    yAxis: { type: 'value', min: 0, max: 100, axisLabel: { formatter: '{value}%' } },
    series: series.map(([name, of]) => ({ name: t(name), type: 'bar', data: rows.map((r) => pct(of(r))) })),
  };
}

function responseChart(rows: (Figures & { label: string })[], t: Translate): ChartOption {
  const series = [
    ['inquiryP50', (f: Figures) => f.inquiryResponse.p50Minutes],
    ['inquiryP90', (f: Figures) => f.inquiryResponse.p90Minutes],
    ['inquiryMax', (f: Figures) => f.inquiryResponse.maxMinutes],
  ] as const;
  return {
    tooltip: { trigger: 'axis' },
    legend: { top: 0 },
    grid: { left: 48, right: 16, top: 40, bottom: 48 },
    xAxis: { type: 'category', data: rows.map((r) => r.label) },
    yAxis: { type: 'value', name: t('minutes') },
    series: series.map(([name, of]) => ({ name: t(name), type: 'bar', data: rows.map((r) => of(r)) })),
  };
}

/** The service-level figures of the hospitals' contracts, for a period and program, with charts and the CSV the report route gives. */
export function KpiPage() {
  const { t } = useI18n();
  const [range, setRange] = useState<[Dayjs, Dayjs]>(() => [
    hospitalWallClock().subtract(30, 'day').startOf('day'),
    hospitalWallClock().add(1, 'day').startOf('day'),
  ]);
  const [program, setProgram] = useState<string | undefined>();
  const pathways = useLoad((signal) => api<{ items: PathwaySummary[] }>('/v1/pathways', { signal }), []);
  const params = { from: zonedDayStart(range[0]), to: zonedDayStart(range[1]), program };
  const report = useLoad((signal) => api<KpiReport>(`/v1/reports/kpi${query(params)}`, { signal }), [params.from, params.to, program]);
  const rows = useMemo(() => (report.data?.byProgram ?? []).map((r) => ({ ...r, label: r.program })), [report.data]);
  const rates = useMemo(() => rateChart(rows, t), [rows, t]);
  const responses = useMemo(() => responseChart(rows, t), [rows, t]);
  const o = report.data?.overall;

  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      <Card
        title={
          <Typography.Title level={4} style={{ margin: 0 }}>
            {t('kpiTitle')}
          </Typography.Title>
        }
        extra={
          <Button href={`/v1/reports/kpi${query({ ...params, format: 'csv' })}`} download="carepath-kpi.csv">
            {t('exportCsv')}
          </Button>
        }
      >
        <Space wrap>
          <DatePicker.RangePicker
            aria-label={t('period')}
            value={[range[0], range[1].subtract(1, 'day')]}
            allowClear={false}
            onChange={(v) => v?.[0] && v[1] && setRange([v[0].startOf('day'), v[1].add(1, 'day').startOf('day')])}
          />
          <Select
            style={{ width: 280 }}
            allowClear
            placeholder={t('allPrograms')}
            value={program}
            onChange={setProgram}
            options={(pathways.data?.items ?? [])
              .map((p) => ({ value: p.program, label: p.program }))
              .filter((o, i, all) => all.findIndex((x) => x.value === o.value) === i)}
          />
        </Space>
        {report.error && <Alert type="error" showIcon title={errorText(report.error, t)} style={{ marginTop: 12 }} />}
        {o && (
          <Row gutter={[16, 16]} style={{ marginTop: 16 }} data-testid="kpi-overall">
            <Col xs={12} md={6}>
              <Statistic title={t('advanceNoticeRate')} value={percent(o.advanceNotice.rate)} />
              <Typography.Text type="secondary">{t('count', { n: o.advanceNotice.announced, d: o.advanceNotice.nodes })}</Typography.Text>
            </Col>
            <Col xs={12} md={6}>
              <Statistic title={t('onTimeRate')} value={percent(o.taskOnTime.rate)} />
              <Typography.Text type="secondary">{t('count', { n: o.taskOnTime.onTime, d: o.taskOnTime.due })}</Typography.Text>
            </Col>
            <Col xs={12} md={6}>
              <Statistic title={t('followUpRate')} value={percent(o.followUpCompletion.rate)} />
              <Typography.Text type="secondary">{t('count', { n: o.followUpCompletion.completed, d: o.followUpCompletion.due })}</Typography.Text>
            </Col>
            <Col xs={12} md={6}>
              <Statistic
                title={t('inquiryP50')}
                value={o.inquiryResponse.p50Minutes ?? '—'}
                suffix={o.inquiryResponse.p50Minutes === null ? undefined : t('minutes')}
              />
              <Typography.Text type="secondary">
                {t('within30')} {percent(o.inquiryResponse.within30MinRate)}
              </Typography.Text>
            </Col>
          </Row>
        )}
      </Card>
      <Row gutter={[16, 16]}>
        <Col xs={24} lg={14}>
          <Card title={`${t('byProgram')} · %`}>
            <Chart option={rates} label={t('byProgram')} />
          </Card>
        </Col>
        <Col xs={24} lg={10}>
          <Card title={`${t('byProgram')} · ${t('minutes')}`}>
            <Chart option={responses} label={t('inquiryP90')} />
          </Card>
        </Col>
      </Row>
      <Card title={t('byButler')}>
        <Table
          rowKey="butler"
          size="small"
          loading={report.loading}
          dataSource={report.data?.byButler ?? []}
          pagination={false}
          scroll={{ x: 720 }}
          columns={[
            { title: t('butler'), dataIndex: 'butler', key: 'butler' },
            { title: t('advanceNoticeRate'), key: 'an', render: (_, r: Figures) => percent(r.advanceNotice.rate) },
            { title: t('onTimeRate'), key: 'ot', render: (_, r: Figures) => percent(r.taskOnTime.rate) },
            { title: t('followUpRate'), key: 'fu', render: (_, r: Figures) => percent(r.followUpCompletion.rate) },
            { title: t('questionnaireRate'), key: 'q', render: (_, r: Figures) => percent(r.questionnaireResponse.rate) },
            { title: t('inquiryP90'), key: 'p90', render: (_, r: Figures) => r.inquiryResponse.p90Minutes ?? '—' },
          ]}
        />
      </Card>
    </Space>
  );
}
