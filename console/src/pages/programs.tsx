import { Alert, Card, Table, Typography } from 'antd';
import { Link } from 'react-router';
import { errorText } from '../errors.ts';
import { api } from '../api.ts';
import { useI18n } from '../i18n.tsx';
import type { PathwaySummary } from '../types.ts';
import { useLoad } from '../use-load.ts';

/** The programs offered for new enrolments, each with its current version. */
export function ProgramsPage() {
  const { t } = useI18n();
  const pathways = useLoad((signal) => api<{ items: PathwaySummary[] }>('/v1/pathways', { signal }), []);
  return (
    <Card
      title={
        <Typography.Title level={4} style={{ margin: 0 }}>
          {t('programsTitle')}
        </Typography.Title>
      }
    >
      {pathways.error && <Alert type="error" showIcon title={errorText(pathways.error, t)} />}
      <Table<PathwaySummary>
        rowKey="id"
        loading={pathways.loading}
        dataSource={pathways.data?.items ?? []}
        pagination={false}
        columns={[
          { title: t('programsTitle'), key: 'title', render: (_, p) => <Link to={`/programs/${p.id}`}>{p.title}</Link> },
          { title: 'ID', dataIndex: 'id', key: 'id' },
          { title: t('version'), dataIndex: 'version', key: 'version' },
          { title: t('program'), dataIndex: 'program', key: 'program', responsive: ['md'] },
        ]}
      />
    </Card>
  );
}
