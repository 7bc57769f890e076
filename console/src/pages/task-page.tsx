import { Alert, App, Button, Card, Descriptions, Form, Input, InputNumber, Radio, Space, Spin, Tag, Typography } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { errorText } from '../errors.ts';
import { api } from '../api.ts';
import { HospitalDatePicker } from '../components/hospital-date-picker.tsx';
import { NextSteps } from '../components/next-steps.tsx';
import { dueClock, formatAge, formatTime, zonedTime } from '../format.ts';
import { useI18n } from '../i18n.tsx';
import { useSession } from '../session.tsx';
import type { FormField, TaskDetail, TimeZone } from '../types.ts';
import { useLoad, useNow } from '../use-load.ts';

type FormValue = string | number | boolean | Dayjs | null | undefined;

/** The value a field sends: a date-time in the program's zone (`2027-03-01T09:30:00+08:00`), a day `YYYY-MM-DD`, or as entered. */
function dataValue(field: FormField, value: FormValue, zone: TimeZone | undefined): string | number | boolean | null | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (dayjs.isDayjs(value)) return field.type === 'date' ? value.format('YYYY-MM-DD') : zonedTime(value, zone);
  return value;
}

/** The control of one field; Form.Item gives it `id`, `value` and `onChange`, passed on to the control. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each control has its own value type; Form.Item passes the one it holds
function FieldInput({ field, ...control }: { field: FormField; id?: string; value?: any; onChange?: any }) {
  const { t, word } = useI18n();
  switch (field.type) {
    case 'datetime':
      // needConfirm off: a time typed and Enter (or Tab) is taken as it is, keyboard only.
      return (
        <HospitalDatePicker showTime={{ format: 'HH:mm', minuteStep: 5 }} needConfirm={false} format="YYYY-MM-DD HH:mm" style={{ width: 240 }} {...control} />
      );
    case 'date':
      return <HospitalDatePicker format="YYYY-MM-DD" style={{ width: 240 }} {...control} />;
    case 'bool':
      return (
        <Radio.Group
          {...control}
          options={
            field.name === 'approved'
              ? [
                  { value: true, label: t('approve') },
                  { value: false, label: t('reject') },
                ]
              : [
                  { value: true, label: t('yes') },
                  { value: false, label: t('no') },
                ]
          }
        />
      );
    case 'int':
      return <InputNumber precision={0} style={{ width: 240 }} {...control} />;
    case 'double':
      return <InputNumber style={{ width: 240 }} {...control} />;
    case 'choice':
      return <Radio.Group {...control} options={(field.options ?? []).map((o) => ({ value: o, label: word(field.name, o) }))} />;
    case 'string':
      return field.name === 'note' || field.name === 'reply' ? (
        <Input.TextArea rows={4} maxLength={field.maxLength} showCount {...control} />
      ) : (
        <Input maxLength={field.maxLength} style={{ maxWidth: 480 }} {...control} />
      );
  }
}

export function TaskPage() {
  const { id } = useParams();
  const { t, word, lang } = useI18n();
  const { can, session } = useSession();
  const { message } = App.useApp();
  const navigate = useNavigate();
  const now = useNow();
  const task = useLoad((signal) => api<TaskDetail>(`/v1/tasks/${encodeURIComponent(id!)}`, { signal }), [id]);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  if (task.error) return <Alert type="error" showIcon title={errorText(task.error, t)} />;
  if (!task.data) return <Spin />;
  const detail = task.data;
  // The zone of the task's program: its date-times are entered in it, so every time here is shown in it too.
  const zone = detail.timeZone;
  const clock = dueClock(detail.dueAt, now, t, lang);
  const label = (name: string) => word('field', name);
  // A butler who hands a task to another butler may no longer read it (403 on reload): back to
  // the worklist. Others (and a butler who hands it to themselves) keep it and see it reloaded.
  const reassigned = (to: string) => {
    if (session?.role === 'butler' && to !== session.butlerId) void navigate('/worklist');
    else task.reload();
  };

  const complete = async (values: Record<string, FormValue>) => {
    setBusy(true);
    setError(null);
    const data: Record<string, string | number | boolean | null> = {};
    for (const field of detail.form) {
      const value = dataValue(field, values[field.name], zone);
      if (value !== undefined) data[field.name] = value;
    }
    try {
      await api(`/v1/tasks/${encodeURIComponent(detail.id)}/complete`, { method: 'POST', body: { data } });
      void message.success(t('completed'));
      task.reload();
    } catch (err) {
      setError(errorText(err, t));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      <Card
        title={
          <Space wrap>
            {detail.urgent && <Tag color="red">{t('urgent')}</Tag>}
            <Typography.Title level={4} style={{ margin: 0 }} data-testid="task-title">
              {detail.title}
            </Typography.Title>
            <Tag>{t(detail.status)}</Tag>
          </Space>
        }
        extra={can('readEnrollment') && <Link to={`/enrollments/${detail.enrollmentId}`}>{t('openJourney')}</Link>}
      >
        <Descriptions column={{ xs: 1, md: 2 }} size="small">
          <Descriptions.Item label={t('patient')}>{detail.patient?.name ?? '—'}</Descriptions.Item>
          <Descriptions.Item label={t('age')}>{formatAge(detail.patient?.age, lang)}</Descriptions.Item>
          <Descriptions.Item label={t('program')}>{detail.program}</Descriptions.Item>
          <Descriptions.Item label={t('code')}>{detail.code ?? '—'}</Descriptions.Item>
          <Descriptions.Item label={t('kind')}>{word('kind', detail.kind)}</Descriptions.Item>
          <Descriptions.Item label={t('due')}>
            {formatTime(detail.dueAt, zone)}{' '}
            {detail.status === 'open' && <Typography.Text type={clock.overdue ? 'danger' : 'secondary'}>({clock.text})</Typography.Text>}
          </Descriptions.Item>
        </Descriptions>
        {detail.inquiry && (
          <Card type="inner" size="small" title={t('inquiryQuestion')} style={{ marginTop: 12 }}>
            <Typography.Paragraph style={{ whiteSpace: 'pre-wrap' }}>{detail.inquiry.question}</Typography.Paragraph>
            <Typography.Text type="secondary">
              {t('askedAt')} {formatTime(detail.inquiry.askedAt, zone)}
            </Typography.Text>
          </Card>
        )}
      </Card>

      {detail.status === 'open' && can('completeTask') ? (
        <Card title={t('complete')}>
          {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} role="alert" />}
          <Form layout="vertical" onFinish={(values: Record<string, FormValue>) => void complete(values)} disabled={busy}>
            {detail.form.map((field) => (
              <Form.Item
                key={field.name}
                name={field.name}
                label={label(field.name)}
                rules={field.required ? [{ required: true, message: t('fieldRequired', { f: label(field.name) }) }] : []}
              >
                <FieldInput field={field} />
              </Form.Item>
            ))}
            <Button type="primary" htmlType="submit" loading={busy}>
              {t('complete')}
            </Button>
          </Form>
        </Card>
      ) : (
        detail.status !== 'open' && (
          <Card title={t('result')}>
            <Descriptions column={1} size="small">
              <Descriptions.Item label={t('completedBy')}>{detail.completedBy ?? '—'}</Descriptions.Item>
              <Descriptions.Item label={t('completedAt')}>{formatTime(detail.completedAt, zone)}</Descriptions.Item>
              {Object.entries(detail.result ?? {}).map(([name, value]) => (
                <Descriptions.Item key={name} label={label(name)}>
                  {typeof value === 'string' && /^\d{4}-\d\d-\d\dT/.test(value) ? formatTime(value, zone) : String(value)}
                </Descriptions.Item>
              ))}
            </Descriptions>
          </Card>
        )
      )}
      {detail.status === 'open' && can('reassignTask') && <Reassign taskId={detail.id} assignee={detail.assignee} onDone={reassigned} />}
      {detail.status === 'done' && can('readEnrollment') && <NextSteps enrollmentId={detail.enrollmentId} timeZone={zone} />}
    </Space>
  );
}

/** Hands an open task to another butler (coordinators and admins; a butler, their own patients' tasks). */
function Reassign({ taskId, assignee, onDone }: { taskId: string; assignee: string | null; onDone: (to: string) => void }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const [error, setError] = useState<string | null>(null);
  const reassign = async ({ to }: { to: string }) => {
    setError(null);
    try {
      const assignee = to.trim();
      await api(`/v1/tasks/${encodeURIComponent(taskId)}/reassign`, { method: 'POST', body: { assignee } });
      void message.success(t('reassigned'));
      onDone(assignee);
    } catch (err) {
      setError(errorText(err, t));
    }
  };
  return (
    <Card title={t('reassign')} size="small">
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} role="alert" />}
      <Form layout="inline" onFinish={(v: { to: string }) => void reassign(v)} initialValues={{ to: assignee ?? '' }}>
        <Form.Item name="to" label={t('reassignTo')} rules={[{ required: true, whitespace: true, message: t('fieldRequired', { f: t('reassignTo') }) }]}>
          <Input style={{ width: 200 }} autoComplete="off" />
        </Form.Item>
        <Button htmlType="submit">{t('reassign')}</Button>
      </Form>
    </Card>
  );
}
