import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findEnrollment } from '../../db/repositories/enrollments.ts';
import { completeTask } from '../../enrollment/complete-task.ts';
import { inquiryDeadline } from '../../enrollment/inquiries/inquiry-sla.ts';
import { openInquiry } from '../../enrollment/inquiries/open-inquiry.ts';
import { findWorklistTask } from '../../db/repositories/worklist.ts';
import { insertEnrollment } from '../support/enrollments.ts';
import { eventually, useTimeSkippingJourneys } from '../support/journey-harness.ts';
import { call, enrollmentRequest, startApiPlatform, type ApiPlatform } from '../api/support/api-platform.ts';

describe('POST /v1/inquiries on the platform (real dev server)', () => {
  let api: ApiPlatform;
  let enrollmentId: string;
  const http = (method: string, url: string, options: Parameters<typeof call>[3] = {}) => call(api.url, method, url, options);

  beforeAll(async () => {
    api = await startApiPlatform();
    enrollmentId = (await http('POST', '/v1/enrollments', { key: api.keys.coordinator, body: enrollmentRequest() })).body.id;
  });
  afterAll(async () => {
    await api?.stop();
  });

  it("creates the response task for the patient's butler, due by the response target", async () => {
    const askedAt = new Date(Date.now() - 60_000);
    const created = await http('POST', '/v1/inquiries', {
      key: api.keys.integrator,
      body: { enrollmentId, question: '孕吐很严重，可以吃什么？', askedAt: askedAt.toISOString(), channel: 'wechat' },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const expected = inquiryDeadline(askedAt, false);
    expect(created.body).toMatchObject({
      enrollmentId,
      urgent: false,
      channel: 'wechat',
      dueAt: expected.dueAt.toISOString(),
      escalateAt: expected.escalateAt.toISOString(),
      answeredAt: null,
    });

    const tasks = (await http('GET', `/v1/tasks?enrollment=${enrollmentId}&status=open`, { key: api.keys.butler })).body.items;
    const task = tasks.find((t: { id: string }) => t.id === created.body.taskId);
    expect(task).toMatchObject({
      kind: 'inquiry-response',
      code: 'consultation',
      assignee: 'b1',
      role: 'butler',
      dueAt: expected.dueAt.toISOString(),
      escalationLevel: 0,
    });

    const read = await http('GET', `/v1/inquiries/${created.body.id}`, { key: api.keys.butler });
    expect(read.body).toMatchObject({ question: '孕吐很严重，可以吃什么？', task: { id: task.id, status: 'open' } });

    const blank = await http('POST', `/v1/tasks/${task.id}/complete`, { key: api.keys.butler, body: { data: { reply: ' ' } } });
    expect(blank.status).toBe(422);
    expect(blank.body.message).toMatch(/data\.reply must be the answer to the patient/);
    const answered = await http('POST', `/v1/tasks/${task.id}/complete`, { key: api.keys.butler, body: { data: { reply: '少食多餐，吐得厉害请来院' } } });
    expect(answered.status, JSON.stringify(answered.body)).toBe(200);
    expect(answered.body).toMatchObject({ status: 'done', completedBy: 'b1' });
    // Asked on WeChat: the reply goes to her WeChat (the platform's log channel here).
    await eventually(async () => {
      const after = await http('GET', `/v1/inquiries/${created.body.id}`, { key: api.keys.coordinator });
      expect(after.body).toMatchObject({
        answeredBy: 'b1',
        answeredAt: expect.any(String),
        reply: '少食多餐，吐得厉害请来院',
        replyVia: 'message',
        replyMessages: [{ channel: 'wechat', status: 'sent', passedTo: null, sentAt: expect.any(String) }],
      });
    });
  });

  it('records an answer given on the phone without sending it', async () => {
    const created = await http('POST', '/v1/inquiries', { key: api.keys.integrator, body: { enrollmentId, question: '明天几点到？', channel: 'phone' } });
    const answered = await http('POST', `/v1/tasks/${created.body.taskId}/complete`, {
      key: api.keys.butler,
      body: { data: { reply: '已电话告知：8点前到' } },
    });
    expect(answered.status, JSON.stringify(answered.body)).toBe(200);
    const after = await http('GET', `/v1/inquiries/${created.body.id}`, { key: api.keys.butler });
    expect(after.body).toMatchObject({ reply: '已电话告知：8点前到', replyVia: 'phone', replyMessages: [] });
  });

  it("escalates an inquiry whose target has passed to the butlers' lead, durably through its workflow", async () => {
    const created = await http('POST', '/v1/inquiries', {
      key: api.keys.integrator,
      body: { enrollmentId, question: '胎动减少怎么办？', urgent: true, askedAt: new Date(Date.now() - 10 * 60_000).toISOString() },
    });
    expect(created.status).toBe(201);
    await eventually(async () => {
      const task = (await http('GET', `/v1/tasks?enrollment=${enrollmentId}&role=coordinator`, { key: api.keys.coordinator })).body.items.find(
        (t: { id: string }) => t.id === created.body.taskId,
      );
      expect(task).toMatchObject({ role: 'coordinator', assignee: null, escalationLevel: 1, urgent: true, status: 'open' });
    });
    await eventually(async () => {
      const escalations = await api.database.db.selectFrom('audit_log').select(['actor', 'action']).where('resource_id', '=', created.body.id).execute();
      expect(escalations).toContainEqual({ actor: 'system', action: 'inquiry.escalate' });
    });
  });

  it('refuses an inquiry asked in the future or for an unknown enrolment', async () => {
    expect(
      (
        await http('POST', '/v1/inquiries', {
          key: api.keys.integrator,
          body: { enrollmentId, question: '?', askedAt: new Date(Date.now() + 3_600_000).toISOString() },
        })
      ).status,
    ).toBe(422);
    expect((await http('POST', '/v1/inquiries', { key: api.keys.integrator, body: { enrollmentId: randomUUID(), question: '?' } })).status).toBe(404);
  });
});

describe('inquiry workflow on the time-skipping server', () => {
  const t = useTimeSkippingJourneys();

  async function ask(urgent: boolean) {
    const enrollment = (await findEnrollment(t.database.db, await insertEnrollment(t.database.db, { butlerId: 'b1' })))!;
    const askedAt = new Date(await t.env.currentTimeMs());
    const inquiry = await openInquiry(
      { db: t.database.db, client: t.env.client, taskQueue: t.taskQueue },
      { enrollment, question: '可以喝咖啡吗？', urgent, channel: 'app', askedAt, createdBy: 'test' },
      async () => {},
    );
    return { inquiry, deadline: inquiryDeadline(askedAt, urgent) };
  }
  const task = async (id: string) => (await findWorklistTask(t.database.db, id))!;

  it('escalates the response task when nobody answers by the target, not before', async () => {
    const { inquiry, deadline } = await ask(false);
    expect(inquiry.due_at.toISOString()).toBe(deadline.dueAt.toISOString());
    const untilEscalation = deadline.escalateAt.getTime() - (await t.env.currentTimeMs());
    await t.env.sleep(untilEscalation - 60_000);
    expect(await task(inquiry.task_id)).toMatchObject({ escalation_level: 0, role: 'butler', assignee: 'b1', status: 'open' });
    await t.env.sleep(2 * 60_000);
    await eventually(async () =>
      expect(await task(inquiry.task_id)).toMatchObject({ escalation_level: 1, role: 'coordinator', assignee: null, urgent: true, status: 'open' }),
    );
    expect(await t.env.client.workflow.getHandle(inquiry.workflow_id).result()).toEqual({ outcome: 'escalated' });
  });

  it('stops the timer when the task is answered in time', async () => {
    const { inquiry, deadline } = await ask(true);
    // Urgent: due within 5 minutes (立即响应) and escalated then.
    expect(deadline.escalateAt.getTime()).toBe(deadline.dueAt.getTime());
    expect(deadline.dueAt.getTime() - inquiry.asked_at.getTime()).toBe(5 * 60_000);
    await t.env.sleep(60_000);
    await completeTask(
      { db: t.database.db, client: t.env.client, taskQueue: t.taskQueue },
      await task(inquiry.task_id),
      { data: { reply: '不建议' }, by: 'b1' },
      async () => {},
    );
    expect(await t.env.client.workflow.getHandle(inquiry.workflow_id).result()).toEqual({ outcome: 'answered' });
    expect(await task(inquiry.task_id)).toMatchObject({ status: 'done', escalation_level: 0, completed_by: 'b1' });
    const answered = await t.database.db.selectFrom('inquiries').select(['answered_by', 'answered_at']).where('id', '=', inquiry.id).executeTakeFirstOrThrow();
    expect(answered.answered_by).toBe('b1');
  });
});
