import { Alert, Button, Card, Space, Table, Tag, Typography } from 'antd';
import { useEffect } from 'react';
import { Link, useNavigate } from 'react-router';
import { errorText } from '../errors.ts';
import { api, query } from '../api.ts';
import { dueClock, formatAge, formatTime } from '../format.ts';
import { useI18n } from '../i18n.tsx';
import { useSession } from '../session.tsx';
import type { Page, Task } from '../types.ts';
import { useLoad, useNow } from '../use-load.ts';

const REFRESH_MS = 30_000;

/** Which worklist: the butler's own, the inquiry queue, a doctor's approvals or escalations, or every open task. */
export type TaskView = 'mine' | 'inquiries' | 'approvals' | 'escalations' | 'all';

const TITLES = {
  mine: 'worklistTitle',
  inquiries: 'inquiriesTitle',
  approvals: 'approvalsTitle',
  escalations: 'escalationsTitle',
  all: 'allTasksTitle',
} as const;

function filterOf(view: TaskView, role: string): Record<string, string> {
  switch (view) {
    case 'mine':
      return role === 'butler' ? {} : { role: 'butler' };
    case 'inquiries':
      return { kind: 'inquiry-response' };
    case 'approvals':
      return { kind: 'approval' };
    case 'escalations':
      return { role: 'doctor' };
    case 'all':
      return {};
  }
}

export function TaskListPage({ view }: { view: TaskView }) {
  const { t, word, lang } = useI18n();
  const { session, can } = useSession();
  const navigate = useNavigate();
  const now = useNow();
  const withPatient = can('readIdentity');
  const tasks = useLoad(
    (signal) =>
      api<Page<Task>>(
        `/v1/tasks${query({ status: 'open', sort: 'urgent', limit: 200, ...filterOf(view, session!.role), ...(withPatient ? { include: 'patient' } : {}) })}`,
        { signal },
      ),
    [view, withPatient],
  );
  // A worklist stays open all shift: new tasks come in without a reload.
  const { reload } = tasks;
  useEffect(() => {
    const timer = setInterval(reload, REFRESH_MS);
    return () => clearInterval(timer);
  }, [reload]);
  return (
    <Card
      title={
        <Typography.Title level={4} style={{ margin: 0 }}>
          {t(TITLES[view])}
        </Typography.Title>
      }
      extra={<Button onClick={tasks.reload}>{t('refresh')}</Button>}
    >
      {tasks.error && <Alert type="error" showIcon title={errorText(tasks.error, t)} />}
      <Table<Task>
        rowKey="id"
        size="middle"
        loading={tasks.loading && !tasks.data}
        dataSource={tasks.data?.items ?? []}
        locale={{ emptyText: t('empty') }}
        pagination={{ pageSize: 50, hideOnSinglePage: true }}
        scroll={{ x: 720 }}
        onRow={(task) => ({ onClick: () => void navigate(`/tasks/${task.id}`), style: { cursor: 'pointer' } })}
        columns={[
          {
            title: t('patient'),
            key: 'patient',
            render: (_, task) => (
              <Space orientation="vertical" size={0}>
                <span>{task.patient?.name ?? '—'}</span>
                <Typography.Text type="secondary">{formatAge(task.patient?.age, lang)}</Typography.Text>
              </Space>
            ),
          },
          {
            title: t('task'),
            key: 'title',
            render: (_, task) => (
              <Space wrap size={4}>
                {task.urgent && <Tag color="red">{t('urgent')}</Tag>}
                {task.call && <Tag color="blue">{t('call')}</Tag>}
                <Link to={`/tasks/${task.id}`} onClick={(e) => e.stopPropagation()}>
                  {task.title}
                </Link>
                {task.code && <Typography.Text type="secondary">{task.code}</Typography.Text>}
              </Space>
            ),
          },
          { title: t('program'), dataIndex: 'program', key: 'program', responsive: ['md'] },
          { title: t('kind'), key: 'kind', render: (_, task) => word('kind', task.kind), responsive: ['lg'] },
          {
            title: t('due'),
            key: 'due',
            render: (_, task) => {
              const clock = dueClock(task.dueAt, now, t, lang);
              return (
                <Space orientation="vertical" size={0}>
                  <span>{formatTime(task.dueAt)}</span>
                  <Typography.Text type={clock.overdue ? 'danger' : 'secondary'}>{clock.text}</Typography.Text>
                </Space>
              );
            },
          },
        ]}
      />
    </Card>
  );
}
