import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/journey-harness.ts';
import { call, enrollmentRequest, shanghaiDate, startApiPlatform, type ApiPlatform } from '../api/support/api-platform.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/**
 * A scripted scenario, run through the API on the real platform, then pinned to exact times so
 * that every figure can be computed by hand (see the comments next to each expectation).
 *
 *   A: care pathway, butler b1 — visit booked for T+2h (notice sent before it), follow-up call done,
 *      questionnaire answered, approval left open; inquiries answered after 10 and 45 minutes.
 *   B: care pathway, butler b2 — visit booked for T−1h (too late for a notice), follow-up open,
 *      questionnaire unanswered; one inquiry answered after 20 minutes, one never answered.
 *   C: lite pathway, butler b1 — follow-up call done.
 */
describe('GET /v1/reports/kpi on a scripted scenario', () => {
  let api: ApiPlatform;
  const T = Date.now();
  const at = (offset: number) => new Date(T + offset).toISOString();
  const http = (method: string, url: string, options: Parameters<typeof call>[3] = {}) => call(api.url, method, url, options);
  const period = `from=${encodeURIComponent(at(-24 * HOUR))}&to=${encodeURIComponent(at(24 * HOUR))}`;

  async function enrol(program: string, butlerId: string, anchors: Record<string, string>) {
    const response = await http('POST', '/v1/enrollments', { key: api.keys.coordinator, body: enrollmentRequest({ program, butlerId, anchors }) });
    expect(response.status).toBe(201);
    return response.body.id as string;
  }
  const taskOf = (enrollmentId: string, step: string) =>
    eventually(async () => {
      const found = (await http('GET', `/v1/tasks?enrollment=${enrollmentId}`, { key: api.keys.coordinator })).body.items.find(
        (t: { stepId: string }) => t.stepId === step,
      );
      expect(found, `${step} of ${enrollmentId}`).toBeDefined();
      return found as { id: string };
    });
  const complete = async (taskId: string, data: Record<string, unknown>) =>
    expect((await http('POST', `/v1/tasks/${taskId}/complete`, { key: api.keys.admin, body: { data } })).status).toBe(200);
  const pinTask = (id: string, dueAt: string, completedAt?: string) =>
    api.database.db
      .updateTable('tasks')
      .set({ due_at: dueAt, ...(completedAt ? { completed_at: completedAt } : {}) })
      .where('id', '=', id)
      .execute();
  async function inquiry(enrollmentId: string, askedMin: number, dueMin: number, answeredMin: number | null) {
    const created = await http('POST', '/v1/inquiries', {
      key: api.keys.integrator,
      body: { enrollmentId, question: '请问…', askedAt: at(-askedMin * MINUTE) },
    });
    expect(created.status).toBe(201);
    if (answeredMin !== null) await complete(created.body.taskId, { reply: '已回复' });
    await api.database.db
      .updateTable('inquiries')
      .set({ asked_at: at(-askedMin * MINUTE), due_at: at(-dueMin * MINUTE), ...(answeredMin !== null ? { answered_at: at(-answeredMin * MINUTE) } : {}) })
      .where('id', '=', created.body.id)
      .execute();
  }

  beforeAll(async () => {
    api = await startApiPlatform();
    const a = await enrol('test.api-care', 'b1', { lmp: shanghaiDate(-100, T) });
    const b = await enrol('test.api-care', 'b2', { lmp: shanghaiDate(-100, T) });
    const c = await enrol('test.api-lite', 'b1', { checkup: shanghaiDate(-10, T) });

    const [aBook, bBook, cFollow] = [await taskOf(a, 'book_visit'), await taskOf(b, 'book_visit'), await taskOf(c, 'followup')];
    const aApproval = await taskOf(a, 'report_approval');
    await complete(aBook.id, { appointment_at: at(2 * HOUR) });
    await complete(bBook.id, { appointment_at: at(-1 * HOUR) });
    await complete(cFollow.id, {});
    const [aFollow, bFollow] = [await taskOf(a, 'visit_followup'), await taskOf(b, 'visit_followup')];
    await complete(aFollow.id, {});
    await eventually(async () => {
      const view = await http('GET', `/v1/enrollments/${a}`, { key: api.keys.coordinator });
      expect(view.body.journey.open.map((o: { key: string }) => o.key)).toContain('mood_check#1');
    });
    expect(
      (await http('POST', `/v1/enrollments/${a}/questionnaires/mood_check/answers`, { key: api.keys.integrator, body: { items: { q1: 0, q2: 1 } } })).status,
    ).toBe(201);
    // A's advance notice goes out at once (the booking was made less than 24 h ahead).
    await eventually(async () => {
      const sent = await api.database.db
        .selectFrom('outbox_messages')
        .select('status')
        .where('enrollment_id', '=', a)
        .where('step_id', '=', 'visit_notice')
        .execute();
      expect(sent.map((m) => m.status)).toEqual(['sent']);
    });

    await pinTask(aBook.id, at(-3 * HOUR), at(-4 * HOUR)); //        on time
    await pinTask(aFollow.id, at(-2 * HOUR), at(-1 * HOUR)); //      late
    await pinTask(aApproval.id, at(-2 * HOUR)); //                   open past its due time
    await pinTask(bBook.id, at(-3 * HOUR), at(-3.5 * HOUR)); //      on time
    await pinTask(bFollow.id, at(5 * HOUR)); //                      not due yet: not counted
    await pinTask(cFollow.id, at(-5 * HOUR), at(-6 * HOUR)); //      on time

    await inquiry(a, 60, 30, 50); //   answered in 10 min, by its due time
    await inquiry(a, 120, 90, 75); //  45 min, after its due time
    await inquiry(b, 40, 10, 20); //   20 min, by its due time
    await inquiry(b, 300, 270, null); // never answered
  });
  afterAll(async () => {
    await api?.stop();
  });

  it('matches the figures computed by hand, overall, per program and per butler', async () => {
    const report = await http('GET', `/v1/reports/kpi?${period}`, { key: api.keys.ops });
    expect(report.status, JSON.stringify(report.body)).toBe(200);
    expect(report.body.overall).toEqual({
      advanceNotice: { nodes: 2, announced: 1, rate: 0.5 }, //                      A announced, B not
      taskOnTime: { due: 5, onTime: 3, rate: 0.6 }, //                             A book, B book, C follow-up on time; A follow-up late; A approval open
      inquiryResponse: { asked: 4, answered: 3, p50Minutes: 20, p90Minutes: 45, maxMinutes: 45, within30MinRate: 0.5, withinTargetRate: 0.5 }, // [10, 20, 45]
      followUpCompletion: { due: 3, completed: 2, rate: 0.6667 }, //               A, C done; B open
      questionnaireResponse: { issued: 2, answered: 1, rate: 0.5 }, //             A answered, B not
    });
    expect(report.body.byProgram.map((p: { program: string }) => p.program)).toEqual(['test.api-care', 'test.api-lite']);
    const [care, lite] = report.body.byProgram;
    expect(care).toMatchObject({
      advanceNotice: { nodes: 2, announced: 1 },
      taskOnTime: { due: 4, onTime: 2, rate: 0.5 },
      followUpCompletion: { due: 2, completed: 1, rate: 0.5 },
      inquiryResponse: { asked: 4 },
    });
    expect(lite).toEqual({
      program: 'test.api-lite',
      advanceNotice: { nodes: 0, announced: 0, rate: null },
      taskOnTime: { due: 1, onTime: 1, rate: 1 },
      inquiryResponse: { asked: 0, answered: 0, p50Minutes: null, p90Minutes: null, maxMinutes: null, within30MinRate: null, withinTargetRate: null },
      followUpCompletion: { due: 1, completed: 1, rate: 1 },
      questionnaireResponse: { issued: 0, answered: 0, rate: null },
    });
    const [b1, b2] = report.body.byButler;
    expect(b1).toEqual({
      butler: 'b1',
      advanceNotice: { nodes: 1, announced: 1, rate: 1 },
      taskOnTime: { due: 4, onTime: 2, rate: 0.5 },
      inquiryResponse: { asked: 2, answered: 2, p50Minutes: 10, p90Minutes: 45, maxMinutes: 45, within30MinRate: 0.5, withinTargetRate: 0.5 },
      followUpCompletion: { due: 2, completed: 2, rate: 1 },
      questionnaireResponse: { issued: 1, answered: 1, rate: 1 },
    });
    expect(b2).toEqual({
      butler: 'b2',
      advanceNotice: { nodes: 1, announced: 0, rate: 0 },
      taskOnTime: { due: 1, onTime: 1, rate: 1 },
      inquiryResponse: { asked: 2, answered: 1, p50Minutes: 20, p90Minutes: 20, maxMinutes: 20, within30MinRate: 0.5, withinTargetRate: 0.5 },
      followUpCompletion: { due: 1, completed: 0, rate: 0 },
      questionnaireResponse: { issued: 1, answered: 0, rate: 0 },
    });
  });

  it('filters by program and answers CSV', async () => {
    const lite = await http('GET', `/v1/reports/kpi?${period}&program=test.api-lite`, { key: api.keys.coordinator });
    expect(lite.body.overall.taskOnTime).toEqual({ due: 1, onTime: 1, rate: 1 });
    expect(lite.body.byButler.map((b: { butler: string }) => b.butler)).toEqual(['b1']);

    const csv = await http('GET', `/v1/reports/kpi?${period}&format=csv`, { key: api.keys.ops });
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    const lines = csv.text.trimEnd().split('\r\n');
    expect(lines[0]).toBe(
      'scope,group,from,to,advance_notice_nodes,advance_notice_announced,advance_notice_rate,tasks_due,tasks_on_time,task_on_time_rate,' +
        'inquiries_asked,inquiries_answered,inquiry_response_p50_min,inquiry_response_p90_min,inquiry_response_max_min,inquiry_within_30min_rate,' +
        'inquiry_within_target_rate,followups_due,followups_completed,followup_completion_rate,questionnaires_issued,questionnaires_answered,questionnaire_response_rate',
    );
    expect(lines[1]).toBe(`overall,all,${at(-24 * HOUR)},${at(24 * HOUR)},2,1,0.5,5,3,0.6,4,3,20,45,45,0.5,0.5,3,2,0.6667,2,1,0.5`);
    expect(lines.map((l) => l.split(',').slice(0, 2).join(','))).toEqual([
      'scope,group',
      'overall,all',
      'program,test.api-care',
      'program,test.api-lite',
      'butler,b1',
      'butler,b2',
    ]);
    const viaAccept = await http('GET', `/v1/reports/kpi?${period}`, { key: api.keys.ops, headers: { accept: 'text/csv' } });
    expect(viaAccept.text).toBe(csv.text);
  });

  it('refuses a period that ends before it starts', async () => {
    const reversed = await http('GET', `/v1/reports/kpi?from=${encodeURIComponent(at(0))}&to=${encodeURIComponent(at(-HOUR))}`, { key: api.keys.ops });
    expect(reversed.status).toBe(422);
  });
});
