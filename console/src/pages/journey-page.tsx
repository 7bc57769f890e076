import { Alert, Card, Descriptions, Space, Spin, Table, Tabs, Tag, Typography } from 'antd';
import { useParams } from 'react-router';
import { errorText } from '../errors.ts';
import { api } from '../api.ts';
import { formatTime } from '../format.ts';
import { useI18n } from '../i18n.tsx';
import type { EnrollmentView, OutboxMessage, Timeline, TimelineEntry } from '../types.ts';
import { useLoad } from '../use-load.ts';

interface PathwayTitles {
  title: string;
  stages: { id: string; title?: string }[];
  anchors: Record<string, { title?: string }>;
}

const STATUS_COLORS: Record<TimelineEntry['status'], string> = { planned: 'blue', skipped: 'default', recorded: 'green', cancelled: 'default' };
const MESSAGE_STATUS = { pending: 'pending', sent: 'sent', 'handed-over': 'handedOver', 'passed-on': 'passedOn' } as const;

/** A patient's journey: where she is, what comes next and when, what was skipped and why, what was sent. */
export function JourneyPage() {
  const { id } = useParams();
  const { t, word } = useI18n();
  const path = `/v1/enrollments/${encodeURIComponent(id!)}`;
  const enrollment = useLoad((signal) => api<EnrollmentView>(path, { signal }), [path]);
  const timeline = useLoad((signal) => api<Timeline>(`${path}/timeline`, { signal }), [path]);
  const messages = useLoad((signal) => api<{ items: OutboxMessage[] }>(`${path}/messages`, { signal }), [path]);
  const program = enrollment.data?.program;
  // Titles of the program, its stages and anchors (of its current version: titles seldom change).
  const pathway = useLoad(
    (signal) => (program ? api<PathwayTitles>(`/v1/pathways/${encodeURIComponent(program)}`, { signal }) : Promise.resolve(undefined)),
    [program],
  );
  const stageTitle = (id: string | null | undefined) => (id ? (pathway.data?.stages.find((s) => s.id === id)?.title ?? id) : '—');

  if (enrollment.error) return <Alert type="error" showIcon title={errorText(enrollment.error, t)} />;
  if (!enrollment.data) return <Spin />;
  const e = enrollment.data;
  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      <Card title={<Typography.Title level={4} style={{ margin: 0 }}>{`${t('journey')} · ${e.patient?.name ?? ''}`}</Typography.Title>}>
        <Descriptions column={{ xs: 1, md: 3 }} size="small">
          <Descriptions.Item label={t('program')}>{`${pathway.data?.title ?? e.program} · v${e.pathwayVersion}`}</Descriptions.Item>
          <Descriptions.Item label={t('stage')}>{stageTitle(e.journey?.stage)}</Descriptions.Item>
          <Descriptions.Item label={t('status')}>{e.status}</Descriptions.Item>
          {Object.entries(e.journey?.anchors ?? {}).map(([name, value]) => (
            <Descriptions.Item key={name} label={pathway.data?.anchors[name]?.title ?? name}>
              {value}
            </Descriptions.Item>
          ))}
          <Descriptions.Item label={t('consent')}>{e.consents.flatMap((c) => c.scope).join(', ') || '—'}</Descriptions.Item>
        </Descriptions>
        {e.journeyUnavailable && <Alert type="warning" title={t('journeyUnavailable', { r: e.journeyUnavailable })} />}
      </Card>
      <Card>
        <Tabs
          items={[
            {
              key: 'ahead',
              label: t('ahead'),
              children: (
                <>
                  {timeline.data?.aheadUnavailable && <Alert type="warning" title={t('journeyUnavailable', { r: timeline.data.aheadUnavailable })} />}
                  <Table<TimelineEntry>
                    rowKey="key"
                    size="small"
                    loading={timeline.loading}
                    dataSource={timeline.data?.ahead?.entries ?? []}
                    pagination={{ pageSize: 50, hideOnSinglePage: true }}
                    scroll={{ x: 720 }}
                    data-testid="timeline-ahead"
                    columns={[
                      { title: t('planned'), key: 'at', render: (_, r) => formatTime(r.at), width: 150 },
                      { title: t('age'), dataIndex: 'age', key: 'age', width: 90 },
                      { title: t('stage'), key: 'stage', render: (_, r) => stageTitle(r.stage), responsive: ['lg'] },
                      { title: t('code'), dataIndex: 'code', key: 'code', width: 110 },
                      { title: t('task'), key: 'title', render: (_, r) => r.title ?? r.step },
                      { title: t('kind'), key: 'kind', render: (_, r) => word('kind', r.kind), width: 90 },
                      { title: t('channel'), key: 'channels', render: (_, r) => r.channels?.join(' → '), responsive: ['md'] },
                      {
                        title: t('status'),
                        key: 'status',
                        render: (_, r) => (
                          <Space size={4} wrap>
                            <Tag color={STATUS_COLORS[r.status]}>{t(r.status)}</Tag>
                            {r.reason && <Typography.Text type="secondary">{r.reason}</Typography.Text>}
                          </Space>
                        ),
                      },
                    ]}
                  />
                </>
              ),
            },
            {
              key: 'happened',
              label: t('happened'),
              children: (
                <Table
                  rowKey="key"
                  size="small"
                  loading={timeline.loading}
                  dataSource={[...(timeline.data?.happened ?? [])].reverse()}
                  pagination={{ pageSize: 50, hideOnSinglePage: true }}
                  columns={[
                    { title: t('time'), key: 'at', render: (_, r) => formatTime(r.at), width: 150 },
                    { title: t('status'), dataIndex: 'type', key: 'type' },
                    { title: t('task'), dataIndex: 'step', key: 'step' },
                    { title: t('reason'), dataIndex: 'reason', key: 'reason' },
                  ]}
                />
              ),
            },
            {
              key: 'messages',
              label: t('messages'),
              children: (
                <Table<OutboxMessage>
                  rowKey="key"
                  size="small"
                  loading={messages.loading}
                  dataSource={messages.data?.items ?? []}
                  locale={{ emptyText: t('noMessages') }}
                  pagination={{ pageSize: 50, hideOnSinglePage: true }}
                  scroll={{ x: 720 }}
                  columns={[
                    { title: t('sentAt'), key: 'sentAt', render: (_, m) => formatTime(m.sentAt ?? m.createdAt), width: 150 },
                    { title: t('channel'), dataIndex: 'channel', key: 'channel', width: 80 },
                    { title: t('task'), dataIndex: 'step', key: 'step' },
                    { title: t('status'), key: 'status', render: (_, m) => t(MESSAGE_STATUS[m.status]) },
                    { title: t('delivery'), key: 'delivery', render: (_, m) => (m.delivery ? t(m.delivery) : '—') },
                    { title: t('text'), key: 'text', render: (_, m) => m.text ?? '—' },
                  ]}
                />
              ),
            },
          ]}
        />
      </Card>
    </Space>
  );
}
