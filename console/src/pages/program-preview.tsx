import { Alert, Button, Card, Form, Space, Spin, Table, Tag, Typography } from 'antd';
import { HospitalDatePicker } from '../components/hospital-date-picker.tsx';
import type { Dayjs } from 'dayjs';
import { useState } from 'react';
import { useParams } from 'react-router';
import { givenAnchors, type AnchorInfo } from '../anchors.ts';
import { errorText } from '../errors.ts';
import { api } from '../api.ts';
import { formatTime, hospitalWallClock, zonedTime } from '../format.ts';
import { useI18n } from '../i18n.tsx';
import type { TimelineEntry, TimeZone } from '../types.ts';
import { useLoad } from '../use-load.ts';

interface PathwayDetail {
  id: string;
  version: string;
  title: string;
  anchors: Record<string, AnchorInfo>;
  timeZone: TimeZone;
  stages: { id: string; title?: string }[];
  versions: { version: string; hash: string; firstSeenAt: string }[];
}

interface Preview {
  entries: TimelineEntry[];
  notProjected: { step: string; why: string }[];
  truncated: boolean;
}

const BAND_COLORS = ['#e6f4ff', '#f6ffed', '#fff7e6', '#f9f0ff', '#fff1f0', '#e6fffb', '#fcffe6'];

/** A program previewed for imagined anchors: its timeline by week or cycle day, stages as bands, each step with its code and title. */
export function ProgramPreviewPage() {
  const { id } = useParams();
  const { t, word } = useI18n();
  const pathway = useLoad((signal) => api<PathwayDetail>(`/v1/pathways/${encodeURIComponent(id!)}`, { signal }), [id]);
  const [preview, setPreview] = useState<Preview | null>(null);
  const [page, setPage] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  if (pathway.error) return <Alert type="error" showIcon title={errorText(pathway.error, t)} />;
  if (!pathway.data) return <Spin />;
  const p = pathway.data;
  const stageIndex = new Map(p.stages.map((s, i) => [s.id, i]));
  const stageTitle = new Map(p.stages.map((s) => [s.id, s.title ?? s.id]));

  const run = async (values: Record<string, Dayjs | undefined>) => {
    setError(null);
    const search = new URLSearchParams();
    for (const [name, anchor] of Object.entries(p.anchors)) {
      const value = values[name];
      if (value) search.set(`anchor.${name}`, anchor.type === 'date' ? value.format('YYYY-MM-DD') : zonedTime(value, p.timeZone));
    }
    try {
      setPreview(await api<Preview>(`/v1/pathways/${encodeURIComponent(p.id)}/preview?${search.toString()}`));
      search.set('format', 'html');
      setPage(`/v1/pathways/${encodeURIComponent(p.id)}/preview?${search.toString()}`);
    } catch (err) {
      setError(errorText(err, t));
    }
  };

  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      <Card title={<Typography.Title level={4} style={{ margin: 0 }}>{`${p.title} · v${p.version}`}</Typography.Title>}>
        <Form layout="inline" onFinish={(v: Record<string, Dayjs | undefined>) => void run(v)}>
          {givenAnchors(p.anchors).map(([name, anchor]) => (
            <Form.Item key={name} name={name} label={anchor.title ?? name} initialValue={name === 'lmp' ? hospitalWallClock().subtract(8, 'week') : undefined}>
              <HospitalDatePicker showTime={anchor.type === 'datetime' ? { format: 'HH:mm' } : false} />
            </Form.Item>
          ))}
          <Button type="primary" htmlType="submit">
            {t('preview')}
          </Button>
        </Form>
        {error && <Alert type="error" showIcon title={error} style={{ marginTop: 12 }} role="alert" />}
        <Typography.Paragraph type="secondary" style={{ marginTop: 12, marginBottom: 0 }} data-testid="program-versions">
          {t('versions')}: {p.versions.map((v) => `v${v.version} (${formatTime(v.firstSeenAt)}, ${v.hash.replace('sha256:', '').slice(0, 8)})`).join(' · ')}
        </Typography.Paragraph>
        <Space wrap style={{ marginTop: 12 }}>
          {p.stages.map((s, i) => (
            <Tag key={s.id} color={BAND_COLORS[i % BAND_COLORS.length]} style={{ color: '#333' }}>
              {s.title ?? s.id}
            </Tag>
          ))}
        </Space>
      </Card>
      {page && (
        <Card title={t('timelineChart')} size="small">
          {/* The same page carepath preview --html writes: no scripts (its CSP allows none), sandboxed. */}
          <iframe
            title={t('timelineChart')}
            src={page}
            sandbox="allow-same-origin"
            data-testid="timeline-page"
            style={{ width: '100%', height: 620, border: 0 }}
          />
        </Card>
      )}
      {preview && (
        <Card>
          <Table<TimelineEntry>
            rowKey="key"
            size="small"
            dataSource={preview.entries}
            pagination={{ pageSize: 100, hideOnSinglePage: true }}
            scroll={{ x: 720 }}
            data-testid="program-preview"
            onRow={(entry) => ({ style: { background: BAND_COLORS[(stageIndex.get(entry.stage ?? '') ?? 0) % BAND_COLORS.length] } })}
            columns={[
              { title: t('age'), dataIndex: 'age', key: 'age', width: 90 },
              { title: t('planned'), key: 'at', render: (_, r) => formatTime(r.at), width: 150 },
              { title: t('stage'), key: 'stage', render: (_, r) => (r.stage ? stageTitle.get(r.stage) : '—') },
              { title: t('code'), dataIndex: 'code', key: 'code', width: 110 },
              { title: t('task'), key: 'title', render: (_, r) => r.title ?? r.step },
              { title: t('kind'), key: 'kind', render: (_, r) => word('kind', r.kind), width: 90 },
              { title: t('status'), key: 'status', render: (_, r) => `${t(r.status)}${r.reason ? ` · ${r.reason}` : ''}` },
            ]}
          />
        </Card>
      )}
    </Space>
  );
}
