import { Alert, Card, List, Space, Tag, Typography } from 'antd';
import { api } from '../api.ts';
import { formatTime } from '../format.ts';
import { useI18n } from '../i18n.tsx';
import type { Timeline, TimeZone } from '../types.ts';
import { useLoad } from '../use-load.ts';

/** What the journey plans next (from its timeline query), after a task is done; times in `timeZone` when given (the task page's), else the hospital's. */
export function NextSteps({ enrollmentId, count = 6, timeZone }: { enrollmentId: string; count?: number; timeZone?: TimeZone }) {
  const { t, word } = useI18n();
  const timeline = useLoad((signal) => api<Timeline>(`/v1/enrollments/${encodeURIComponent(enrollmentId)}/timeline`, { signal }), [enrollmentId]);
  const planned = (timeline.data?.ahead?.entries ?? []).filter((e) => e.status === 'planned').slice(0, count);
  return (
    <Card title={t('ahead')} loading={timeline.loading} data-testid="next-steps">
      {timeline.data?.aheadUnavailable && <Alert type="warning" title={t('journeyUnavailable', { r: timeline.data.aheadUnavailable })} />}
      <List
        dataSource={planned}
        renderItem={(entry) => (
          <List.Item>
            <Space wrap>
              <Typography.Text strong>{formatTime(entry.at, timeZone)}</Typography.Text>
              <Tag>{word('kind', entry.kind)}</Tag>
              <span>{entry.title ?? entry.step}</span>
              {entry.code && <Typography.Text type="secondary">{entry.code}</Typography.Text>}
              {entry.channels?.map((c) => (
                <Tag key={c}>{c}</Tag>
              ))}
            </Space>
          </List.Item>
        )}
      />
    </Card>
  );
}
