import { Alert, Button, Card, Table, Typography } from 'antd';
import { errorText } from '../errors.ts';
import { api } from '../api.ts';
import { formatTime } from '../format.ts';
import { useI18n } from '../i18n.tsx';
import { useLoad } from '../use-load.ts';

interface InboundMessage {
  id: string;
  channel: string;
  provider: string;
  providerMessageId: string;
  outcome: 'unmatched' | 'ambiguous' | 'not-enrolled';
  receivedAt: string;
  patient?: { name: string | null };
}

/** Patients' messages whose sender was not certain: kept without text, to be looked up in the provider's console. */
export function InboundMessagesPage() {
  const { t, word } = useI18n();
  const messages = useLoad((signal) => api<{ items: InboundMessage[] }>('/v1/inbound-messages?limit=200', { signal }), []);
  return (
    <Card
      title={
        <Typography.Title level={4} style={{ margin: 0 }}>
          {t('inboundTitle')}
        </Typography.Title>
      }
      extra={<Button onClick={messages.reload}>{t('refresh')}</Button>}
    >
      <Typography.Paragraph type="secondary">{t('inboundHelp')}</Typography.Paragraph>
      {messages.error && <Alert type="error" showIcon title={errorText(messages.error, t)} />}
      <Table<InboundMessage>
        rowKey="id"
        size="small"
        loading={messages.loading}
        dataSource={messages.data?.items ?? []}
        pagination={{ pageSize: 50, hideOnSinglePage: true }}
        scroll={{ x: 720 }}
        columns={[
          { title: t('time'), key: 'at', render: (_, m) => formatTime(m.receivedAt), width: 150 },
          { title: t('channel'), key: 'channel', render: (_, m) => `${m.channel} (${m.provider})` },
          { title: t('reason'), key: 'outcome', render: (_, m) => word('outcome', m.outcome) },
          { title: t('patient'), key: 'patient', render: (_, m) => m.patient?.name ?? '—' },
          {
            title: t('providerMessageId'),
            key: 'pid',
            render: (_, m) => (
              <Typography.Text code copyable>
                {m.providerMessageId}
              </Typography.Text>
            ),
          },
        ]}
      />
    </Card>
  );
}
