import { Alert, Button, Card, Checkbox, Divider, Form, Input, Radio, Select, Space, Typography } from 'antd';
import { HospitalDatePicker } from '../components/hospital-date-picker.tsx';
import type { Dayjs } from 'dayjs';
import { useMemo, useState } from 'react';
import { useNavigate } from 'react-router';
import { givenAnchors, type AnchorInfo } from '../anchors.ts';
import { errorText } from '../errors.ts';
import { api } from '../api.ts';
import { useI18n } from '../i18n.tsx';
import { useSession } from '../session.tsx';
import { zonedTime } from '../format.ts';
import type { PathwaySummary, TimeZone } from '../types.ts';
import { useLoad } from '../use-load.ts';

interface PathwayAnchors {
  anchors: Record<string, AnchorInfo>;
  timeZone: TimeZone;
}

interface EnrolForm {
  program: string;
  anchors?: Record<string, Dayjs | undefined>;
  name: string;
  phone?: string;
  idType?: string;
  gender?: 'female' | 'male' | 'other';
  idNumber?: string;
  wechatOpenId?: string;
  appUserId?: string;
  butlerId: string;
  channels?: string[];
  method: 'written' | 'electronic' | 'verbal-recorded';
  consented: boolean;
}

const ID_TYPES = ['resident-id', 'passport', 'hk-macao-permit', 'taiwan-permit', 'foreigner-permit', 'other'] as const;
/** Consent to be managed and to have her data processed is what an enrolment is; each channel is consented to on its own. */
const BASE_SCOPE = ['care-management', 'data-processing'];
const CHANNEL_SCOPES = ['wechat-contact', 'sms-contact', 'app-contact'] as const;

/** Enrols a patient: the program and its anchors, her identity and contact points, and her consent, recorded now by whoever is signed in. */
export function EnrolPage() {
  const { t, word } = useI18n();
  const { session } = useSession();
  const navigate = useNavigate();
  const [form] = Form.useForm<EnrolForm>();
  const program = Form.useWatch('program', form);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  // One key per form: a double click or a retry after a timeout enrols once.
  // The consent time is pinned with it: the same request, answered again, not refused as a different one.
  const idempotencyKey = useMemo(() => crypto.randomUUID(), []);
  const [givenAt] = useState(() => new Date().toISOString());
  const pathways = useLoad((signal) => api<{ items: PathwaySummary[] }>('/v1/pathways', { signal }), []);
  const detail = useLoad(
    (signal) => (program ? api<PathwayAnchors>(`/v1/pathways/${encodeURIComponent(program)}`, { signal }) : Promise.resolve(undefined)),
    [program],
  );

  const submit = async (values: EnrolForm) => {
    setBusy(true);
    setError(null);
    const anchors: Record<string, string> = {};
    for (const [name, anchor] of Object.entries(detail.data?.anchors ?? {})) {
      const value = values.anchors?.[name];
      if (value) anchors[name] = anchor.type === 'date' ? value.format('YYYY-MM-DD') : zonedTime(value, detail.data?.timeZone);
    }
    const patient = Object.fromEntries(
      Object.entries({
        name: values.name,
        phone: values.phone,
        idType: values.idNumber ? values.idType : undefined,
        idNumber: values.idNumber,
        gender: values.gender,
        wechatOpenId: values.wechatOpenId,
        appUserId: values.appUserId,
      }).filter(([, v]) => v !== undefined && v !== ''),
    );
    try {
      const created = await api<{ id: string }>('/v1/enrollments', {
        method: 'POST',
        headers: { 'idempotency-key': idempotencyKey },
        body: {
          program: values.program,
          anchors,
          patient,
          butlerId: values.butlerId,
          consent: {
            scope: [...BASE_SCOPE, ...(values.channels ?? [])],
            givenAt,
            recordedBy: session!.name,
            method: values.method,
          },
        },
      });
      void navigate(`/enrollments/${created.id}`);
    } catch (err) {
      setError(errorText(err, t));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Card
      title={
        <Typography.Title level={4} style={{ margin: 0 }}>
          {t('enrolTitle')}
        </Typography.Title>
      }
    >
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} role="alert" />}
      <Form<EnrolForm>
        form={form}
        layout="vertical"
        style={{ maxWidth: 640 }}
        onFinish={(v) => void submit(v)}
        initialValues={{ method: 'written', idType: 'resident-id', channels: [] }}
      >
        <Form.Item name="program" label={t('program')} rules={[{ required: true, message: t('fieldRequired', { f: t('program') }) }]}>
          <Select
            loading={pathways.loading}
            options={(pathways.data?.items ?? []).map((p) => ({ value: p.id, label: `${p.title}（${p.id} v${p.version}）` }))}
            showSearch={{ optionFilterProp: 'label' }}
          />
        </Form.Item>
        {givenAnchors(detail.data?.anchors ?? {}).map(([name, anchor]) => (
          <Form.Item
            key={name}
            name={['anchors', name]}
            label={anchor.title ?? name}
            rules={anchor.required ? [{ required: true, message: t('fieldRequired', { f: anchor.title ?? name }) }] : []}
          >
            <HospitalDatePicker showTime={anchor.type === 'datetime' ? { format: 'HH:mm' } : false} needConfirm={false} />
          </Form.Item>
        ))}
        <Divider titlePlacement="start">{t('patient')}</Divider>
        <Form.Item name="name" label={t('patientName')} rules={[{ required: true, whitespace: true, message: t('fieldRequired', { f: t('patientName') }) }]}>
          <Input maxLength={100} autoComplete="off" />
        </Form.Item>
        <Form.Item name="phone" label={t('phone')} rules={[{ pattern: /^\+?[0-9][0-9 -]{4,19}$/, message: t('phoneInvalid') }]}>
          <Input autoComplete="off" inputMode="tel" />
        </Form.Item>
        <Form.Item name="gender" label={t('gender')}>
          <Radio.Group options={(['female', 'male', 'other'] as const).map((g) => ({ value: g, label: word('gender', g) }))} />
        </Form.Item>
        <Space wrap align="start">
          <Form.Item name="idType" label={t('idType')}>
            <Select style={{ width: 200 }} options={ID_TYPES.map((v) => ({ value: v, label: word('idType', v) }))} />
          </Form.Item>
          <Form.Item name="idNumber" label={t('idNumber')} rules={[{ pattern: /^[0-9A-Za-z -]{4,40}$/, message: t('idNumberInvalid') }]}>
            <Input style={{ width: 280 }} autoComplete="off" />
          </Form.Item>
        </Space>
        <Form.Item name="wechatOpenId" label={t('wechatOpenId')} rules={[{ pattern: /^[A-Za-z0-9_-]{16,64}$/, message: t('openIdInvalid') }]}>
          <Input autoComplete="off" />
        </Form.Item>
        <Form.Item name="appUserId" label={t('appUserId')}>
          <Input autoComplete="off" />
        </Form.Item>
        <Form.Item name="butlerId" label={t('butlerId')} rules={[{ required: true, whitespace: true, message: t('fieldRequired', { f: t('butlerId') }) }]}>
          <Input style={{ width: 200 }} autoComplete="off" />
        </Form.Item>
        <Divider titlePlacement="start">{t('consent')}</Divider>
        <Typography.Paragraph type="secondary">{t('consentHelp')}</Typography.Paragraph>
        <Form.Item name="channels" label={t('consentChannels')}>
          <Checkbox.Group options={CHANNEL_SCOPES.map((scope) => ({ value: scope, label: word('scope', scope) }))} />
        </Form.Item>
        <Form.Item name="method" label={t('consentMethod')}>
          <Radio.Group options={(['written', 'electronic', 'verbal-recorded'] as const).map((m) => ({ value: m, label: word('method', m) }))} />
        </Form.Item>
        <Form.Item
          name="consented"
          valuePropName="checked"
          rules={[{ validator: (_, v: boolean) => (v ? Promise.resolve() : Promise.reject(new Error(t('consentRequired')))) }]}
        >
          <Checkbox>{t('consentGiven')}</Checkbox>
        </Form.Item>
        <Button type="primary" htmlType="submit" loading={busy}>
          {t('enrol')}
        </Button>
      </Form>
    </Card>
  );
}
