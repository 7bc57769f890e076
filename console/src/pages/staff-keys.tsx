import { Alert, App, Button, Card, Form, Input, Popconfirm, Select, Space, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { errorText } from '../errors.ts';
import { api } from '../api.ts';
import { formatTime } from '../format.ts';
import { useI18n } from '../i18n.tsx';
import { useLoad } from '../use-load.ts';

interface ApiClient {
  id: string;
  name: string;
  role: string;
  butlerId: string | null;
  keyPrefix: string;
  createdAt: string;
  revokedAt: string | null;
}

const ROLES = ['butler', 'doctor', 'coordinator', 'ops', 'integrator', 'admin'] as const;

/** Staff and systems with their API keys (admins): a key is shown once, when it is made; revoking one ends its sessions. */
export function StaffKeysPage() {
  const { t } = useI18n();
  const { message } = App.useApp();
  const [form] = Form.useForm<{ name: string; role: string; butlerId?: string }>();
  const role = Form.useWatch('role', form);
  const clients = useLoad((signal) => api<{ items: ApiClient[] }>('/v1/api-clients', { signal }), []);
  const [created, setCreated] = useState<{ name: string; key: string } | null>(null);
  const [error, setError] = useState<string | null>(null);

  const create = async (values: { name: string; role: string; butlerId?: string }) => {
    setError(null);
    try {
      const answer = await api<{ key: string; name: string }>('/v1/api-clients', {
        method: 'POST',
        body: { name: values.name.trim(), role: values.role, ...(values.butlerId ? { butlerId: values.butlerId.trim() } : {}) },
      });
      setCreated({ name: answer.name, key: answer.key });
      form.resetFields();
      clients.reload();
    } catch (err) {
      setError(errorText(err, t));
    }
  };
  const revoke = async (id: string) => {
    await api(`/v1/api-clients/${encodeURIComponent(id)}`, { method: 'DELETE' });
    void message.success(t('revoked'));
    clients.reload();
  };

  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      <Card
        title={
          <Typography.Title level={4} style={{ margin: 0 }}>
            {t('keysTitle')}
          </Typography.Title>
        }
      >
        {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} role="alert" />}
        {created && (
          <Alert
            type="success"
            showIcon
            style={{ marginBottom: 12 }}
            title={t('keyCreated', { n: created.name })}
            description={
              <Typography.Text code copyable data-testid="new-key">
                {created.key}
              </Typography.Text>
            }
          />
        )}
        <Form form={form} layout="inline" onFinish={(v) => void create(v)} initialValues={{ role: 'butler' }}>
          <Form.Item name="name" label={t('patientName')} rules={[{ required: true, whitespace: true, message: t('fieldRequired', { f: t('patientName') }) }]}>
            <Input style={{ width: 180 }} autoComplete="off" />
          </Form.Item>
          <Form.Item name="role" label={t('role')}>
            <Select style={{ width: 160 }} options={ROLES.map((r) => ({ value: r, label: t(`role_${r}`) }))} />
          </Form.Item>
          {role === 'butler' && (
            <Form.Item name="butlerId" label={t('butlerId')} rules={[{ required: true, whitespace: true, message: t('fieldRequired', { f: t('butlerId') }) }]}>
              <Input style={{ width: 120 }} autoComplete="off" />
            </Form.Item>
          )}
          <Button type="primary" htmlType="submit">
            {t('createKey')}
          </Button>
        </Form>
      </Card>
      <Card>
        <Table<ApiClient>
          rowKey="id"
          size="small"
          loading={clients.loading}
          dataSource={clients.data?.items ?? []}
          pagination={{ pageSize: 50, hideOnSinglePage: true }}
          scroll={{ x: 720 }}
          columns={[
            { title: t('patientName'), dataIndex: 'name', key: 'name' },
            { title: t('role'), key: 'role', render: (_, c) => t(`role_${c.role as (typeof ROLES)[number]}`) },
            { title: t('butlerId'), dataIndex: 'butlerId', key: 'butlerId' },
            { title: t('apiKey'), key: 'prefix', render: (_, c) => <Typography.Text code>{`${c.keyPrefix}…`}</Typography.Text> },
            { title: t('time'), key: 'createdAt', render: (_, c) => formatTime(c.createdAt) },
            {
              title: t('status'),
              key: 'status',
              render: (_, c) =>
                c.revokedAt ? (
                  <Tag>{t('revoked')}</Tag>
                ) : (
                  <Popconfirm title={t('revokeConfirm', { n: c.name })} onConfirm={() => void revoke(c.id)}>
                    <Button size="small" danger>
                      {t('revoke')}
                    </Button>
                  </Popconfirm>
                ),
            },
          ]}
        />
      </Card>
    </Space>
  );
}
