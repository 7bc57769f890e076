import { Alert, Button, Card, Form, Input, Typography } from 'antd';
import { useState } from 'react';
import { ApiError } from '../api.ts';
import { errorText } from '../errors.ts';
import { useI18n } from '../i18n.tsx';
import { useSession } from '../session.tsx';

export function SignInPage() {
  const { signIn, ended } = useSession();
  const { t, toggle } = useI18n();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async ({ apiKey }: { apiKey: string }) => {
    setBusy(true);
    setError(null);
    try {
      await signIn(apiKey);
    } catch (err) {
      setError(err instanceof ApiError && err.status === 401 ? t('keyInvalid') : errorText(err, t));
    } finally {
      setBusy(false);
    }
  };
  return (
    <main style={{ display: 'flex', justifyContent: 'center', alignItems: 'center', minHeight: '100vh', background: '#f3f6f5' }}>
      <Card style={{ width: 420, maxWidth: '92vw' }}>
        <Typography.Title level={3}>{t('appName')}</Typography.Title>
        <Typography.Title level={5}>{t('signInTitle')}</Typography.Title>
        <Typography.Paragraph type="secondary">{t('signInHelp')}</Typography.Paragraph>
        {ended === 'expired' && <Alert type="warning" showIcon title={t('sessionExpired')} style={{ marginBottom: 16 }} />}
        {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} role="alert" />}
        <Form layout="vertical" onFinish={(v: { apiKey: string }) => void submit(v)} requiredMark={false}>
          <Form.Item label={t('apiKey')} name="apiKey" rules={[{ required: true, whitespace: true, message: t('apiKeyRequired') }]}>
            <Input.Password autoFocus autoComplete="off" placeholder="cpk_…" />
          </Form.Item>
          <Button type="primary" htmlType="submit" block loading={busy}>
            {t('signIn')}
          </Button>
        </Form>
        <Button type="link" onClick={toggle} style={{ marginTop: 8, paddingLeft: 0 }}>
          {t('language')}
        </Button>
      </Card>
    </main>
  );
}
