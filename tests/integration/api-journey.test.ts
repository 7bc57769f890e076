import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listOutboxMessages } from '../../db/repositories/outbox.ts';
import { eventually } from '../support/journey-harness.ts';
import { call, enrollmentRequest, shanghaiDate, startApiPlatform, type ApiPlatform } from '../api/support/api-platform.ts';

describe('the journey over HTTP (platform on real Temporal and PostgreSQL)', () => {
  let api: ApiPlatform;
  const http = (method: string, url: string, options: Parameters<typeof call>[3] = {}) => call(api.url, method, url, options);
  const worklist = async (key: string, query = 'status=open') => (await http('GET', `/v1/tasks?${query}`, { key })).body.items as any[];
  const openTasksOf = async (enrollmentId: string) => worklist(api.keys.coordinator, `status=open&enrollment=${enrollmentId}`);

  beforeAll(async () => {
    api = await startApiPlatform();
  });
  afterAll(async () => {
    await api?.stop();
  });

  async function enrol(overrides: Record<string, unknown> = {}) {
    const response = await http('POST', '/v1/enrollments', { key: api.keys.coordinator, body: enrollmentRequest(overrides) });
    expect(response.status, JSON.stringify(response.body)).toBe(201);
    return response.body as { id: string; patientRef: string; workflowId: string };
  }

  it("enrols, shows the tasks in the butler's worklist, completes one and the next steps appear", async () => {
    const request = enrollmentRequest();
    const created = await http('POST', '/v1/enrollments', { key: api.keys.coordinator, body: request });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      id: expect.any(String),
      patientRef: expect.stringMatching(/^pt_[0-9a-f]{20}$/),
      program: 'test.api-care',
      status: 'active',
      newPatient: true,
    });
    expect(created.body.workflowId).not.toContain(request.patient.name);
    const { id } = created.body;

    const tasks = await eventually(async () => {
      const mine = (await worklist(api.keys.butler)).filter((t) => t.enrollmentId === id);
      expect(mine.map((t) => t.stepId).sort()).toEqual(['book_visit']);
      return mine;
    });
    expect(tasks[0]).toMatchObject({ occurrenceKey: 'book_visit#1', assignee: 'b1', role: 'butler', status: 'open', urgent: true, kind: 'task' });
    await eventually(async () => expect((await openTasksOf(id)).map((t) => t.stepId).sort()).toEqual(['book_visit', 'report_approval']));
    // Another butler sees none of them.
    expect((await worklist(api.keys.otherButler)).filter((t) => t.enrollmentId === id)).toEqual([]);

    const view = await http('GET', `/v1/enrollments/${id}`, { key: api.keys.coordinator });
    expect(view.status).toBe(200);
    expect(view.body).toMatchObject({
      id,
      program: 'test.api-care',
      butlerId: 'b1',
      status: 'active',
      patient: { name: request.patient.name, phone: request.patient.phone },
    });
    expect(view.body.consents).toEqual([
      {
        scope: ['care-management', 'data-processing', 'wechat-contact', 'sms-contact', 'app-contact'],
        givenAt: request.consent.givenAt,
        recordedBy: 'coordinator-1',
        method: 'electronic',
      },
    ]);
    expect(view.body.journey).toMatchObject({ status: 'active', anchors: { lmp: request.anchors.lmp } });
    expect(view.body.journey.open.map((o: { key: string }) => o.key)).toEqual(expect.arrayContaining(['book_visit#1', 'mood_check#1', 'report_approval#1']));
    // Integrators and ops see the enrolment without identity.
    const pseudonymous = await http('GET', `/v1/enrollments/${id}`, { key: api.keys.ops });
    expect(pseudonymous.status).toBe(200);
    expect(pseudonymous.body.patient).toBeUndefined();

    const appointment = new Date(Date.now() + 3 * 3_600_000).toISOString();
    const completed = await http('POST', `/v1/tasks/${tasks[0].id}/complete`, { key: api.keys.butler, body: { data: { appointment_at: appointment } } });
    expect(completed.status, JSON.stringify(completed.body)).toBe(200);
    expect(completed.body).toMatchObject({ status: 'done', completedBy: 'b1', result: { appointment_at: appointment } });

    // The next steps: a follow-up call task, and the advance notice (sent with the patient's name filled in).
    await eventually(async () =>
      expect((await worklist(api.keys.butler)).filter((t) => t.enrollmentId === id).map((t) => t.stepId)).toEqual(['visit_followup']),
    );
    const notice = await eventually(async () => {
      const sent = (await listOutboxMessages(api.database.db, id)).filter((m) => m.step_id === 'visit_notice');
      expect(sent.map((m) => m.status)).toEqual(['sent']);
      return sent[0]!;
    });
    expect(notice.variables).toMatchObject({ appointment_at: appointment });
    expect(JSON.stringify(notice.variables)).not.toContain(request.patient.name);
    // visit_notice needs {{name}}: it was sent, so the activity decrypted the name, and audited that.
    const nameReads = await api.database.db
      .selectFrom('audit_log')
      .select(['actor', 'details'])
      .where('action', '=', 'patient.name.read')
      .where('resource_id', '=', created.body.patientRef)
      .execute();
    expect(nameReads).toContainEqual({ actor: 'system', details: { purpose: 'message' } });

    // What was sent, for staff and for a hospital system: when, on which channel, what became of it — never the recipient;
    // the text only for staff who may read identity.
    for (const key of [api.keys.butler, api.keys.integrator]) {
      const messages = await http('GET', `/v1/enrollments/${id}/messages`, { key });
      expect(messages.status, messages.text).toBe(200);
      expect(messages.body.items).toContainEqual(
        expect.objectContaining({ step: 'visit_notice', channel: 'wechat', templateId: 'visit_notice', status: 'sent', attempts: 1, lastError: null }),
      );
      expect(messages.text).not.toContain(request.patient.wechatOpenId);
      const notices = messages.body.items.filter((m: { step: string }) => m.step === 'visit_notice');
      if (key === api.keys.integrator) {
        expect(messages.text).not.toContain(request.patient.name);
        expect(notices.every((m: object) => !('text' in m))).toBe(true);
      } else expect(notices[0].text).toContain(request.patient.name);
    }
    const historyReads = await api.database.db
      .selectFrom('audit_log')
      .select('details')
      .where('action', '=', 'patient.name.read')
      .where('resource_id', '=', created.body.patientRef)
      .execute();
    expect(historyReads).toContainEqual({ details: expect.objectContaining({ purpose: 'message-history', enrollmentId: id }) });
    // And what the journey did and will do: the booking recorded, the follow-up and the rest ahead.
    const timeline = await http('GET', `/v1/enrollments/${id}/timeline`, { key: api.keys.butler });
    expect(timeline.status, timeline.text).toBe(200);
    expect(timeline.body.happened.length).toBeGreaterThan(0);
    // Projected to its end with the estimates assumed, the journey completes.
    expect(timeline.body.ahead.status).toBe('completed');
    expect(timeline.body.ahead.entries.map((e: { step: string }) => e.step)).toEqual(expect.arrayContaining(['visit_followup']));
    for (const route of ['messages', 'timeline']) {
      expect((await http('GET', `/v1/enrollments/${id}/${route}`, { key: api.keys.otherButler })).status, route).toBe(403);
      expect((await http('GET', `/v1/enrollments/no-such-enrolment/${route}`, { key: api.keys.coordinator })).status, route).toBe(404);
      expect((await http('GET', `/v1/enrollments/${id}/${route}`)).status, route).toBe(401);
    }
    const reads = await api.database.db.selectFrom('audit_log').select('action').where('resource_id', '=', id).execute();
    expect(reads.map((r) => r.action)).toEqual(expect.arrayContaining(['enrollment.messages.read', 'enrollment.timeline.read']));

    const again = await http('POST', `/v1/tasks/${tasks[0].id}/complete`, { key: api.keys.butler, body: { data: { appointment_at: appointment } } });
    expect(again.status).toBe(409);
  });

  it("rejects task data that does not fit the step with the journey's reason (422), leaving the task open", async () => {
    const { id } = await enrol();
    const task = await eventually(async () => {
      const found = (await openTasksOf(id)).find((t) => t.stepId === 'book_visit');
      expect(found).toBeDefined();
      return found;
    });
    const wrongType = await http('POST', `/v1/tasks/${task.id}/complete`, { key: api.keys.butler, body: { data: { appointment_at: 42 } } });
    expect(wrongType.status).toBe(422);
    expect(wrongType.body).toMatchObject({ error: 'invalid-input', message: expect.stringContaining("'appointment_at' must be a datetime") });
    const missing = await http('POST', `/v1/tasks/${task.id}/complete`, { key: api.keys.butler, body: { data: {} } });
    expect(missing.status).toBe(422);
    expect(missing.body.message).toContain("needs 'appointment_at'");
    expect((await openTasksOf(id)).find((t) => t.id === task.id)).toMatchObject({ status: 'open' });
  });

  it('answers 409 for a second enrolment of the same patient, and replays an Idempotency-Key', async () => {
    const request = enrollmentRequest();
    const headers = { 'idempotency-key': `enrol-${request.patient.idNumber}` };
    const first = await http('POST', '/v1/enrollments', { key: api.keys.integrator, body: request, headers });
    expect(first.status).toBe(201);
    const replay = await http('POST', '/v1/enrollments', { key: api.keys.integrator, body: request, headers });
    expect(replay.status).toBe(201);
    expect(replay.body).toEqual(first.body);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    const reused = await http('POST', '/v1/enrollments', { key: api.keys.integrator, body: { ...request, butlerId: 'b2' }, headers });
    expect(reused.status).toBe(422);

    // Same person (same identity document, other spelling), no idempotency key: already enrolled.
    const samePerson = { ...request, patient: { ...request.patient, idNumber: ` ${request.patient.idNumber.toLowerCase()} `.replace(/^ | $/g, '') } };
    const second = await http('POST', '/v1/enrollments', { key: api.keys.coordinator, body: samePerson });
    expect(second.status).toBe(409);
    expect(second.body).toMatchObject({ error: 'conflict', message: expect.stringContaining('already has an active enrolment') });
    // The integrator was not told the pseudonym: find it by the enrolment.
    const { patient_ref: ref } = await api.database.db
      .selectFrom('enrollments')
      .select('patient_ref')
      .where('id', '=', first.body.id)
      .executeTakeFirstOrThrow();
    const rows = await api.database.db.selectFrom('enrollments').select('id').where('patient_ref', '=', ref).execute();
    expect(rows).toHaveLength(1);
    expect(await api.database.db.selectFrom('consents').select('id').where('patient_ref', '=', ref).execute()).toHaveLength(1);
  });

  it('answers 422 for an unknown program and for invalid anchors, writing nothing', async () => {
    const before = await counts();
    const unknown = await http('POST', '/v1/enrollments', { key: api.keys.coordinator, body: enrollmentRequest({ program: 'no.such-program' }) });
    expect(unknown.status).toBe(422);
    expect(unknown.body).toMatchObject({
      error: 'invalid-input',
      message: expect.stringContaining("unknown program 'no.such-program'"),
      details: { offered: ['test.api-care', 'test.api-lite'] },
    });
    for (const anchors of [{}, { lmp: '2026-02-30' }, { lmp: 'yesterday' }, { lmp: shanghaiDate(-100), nope: '2026-01-01' }]) {
      const invalid = await http('POST', '/v1/enrollments', { key: api.keys.coordinator, body: enrollmentRequest({ anchors }) });
      expect(invalid.status, JSON.stringify(anchors)).toBe(422);
      expect(invalid.body.message).toMatch(/^invalid anchors: /);
    }
    expect(await counts()).toEqual(before);
  });

  it('re-anchors: a corrected EDD brings the late scan forward into the worklist; bad anchors are refused', async () => {
    const { id } = await enrol();
    await eventually(async () => expect((await openTasksOf(id)).map((t) => t.stepId)).toContain('book_visit'));
    expect((await openTasksOf(id)).map((t) => t.stepId)).not.toContain('late_scan');

    const edd = shanghaiDate(20);
    const set = await http('PUT', `/v1/enrollments/${id}/anchors/edd`, { key: api.keys.butler, body: { value: edd } });
    expect(set.status, JSON.stringify(set.body)).toBe(200);
    expect(set.body).toEqual({ name: 'edd', value: edd });
    await eventually(async () => expect((await openTasksOf(id)).map((t) => t.stepId)).toContain('late_scan'));
    expect((await http('GET', `/v1/enrollments/${id}`, { key: api.keys.coordinator })).body.journey.anchors).toMatchObject({ edd });

    const notCorrectable = await http('PUT', `/v1/enrollments/${id}/anchors/lmp`, { key: api.keys.coordinator, body: { value: shanghaiDate(-90) } });
    expect(notCorrectable.status).toBe(422);
    const badDate = await http('PUT', `/v1/enrollments/${id}/anchors/edd`, { key: api.keys.coordinator, body: { value: '2027-13-01' } });
    expect(badDate.status).toBe(422);
    const unknownAnchor = await http('PUT', `/v1/enrollments/${id}/anchors/surgery`, { key: api.keys.coordinator, body: { value: shanghaiDate(1) } });
    expect(unknownAnchor.status).toBe(422);
    expect(unknownAnchor.body.message).toContain("has no anchor 'surgery'");
  });

  it('stores readings through the journey; a critical reading escalates; a rejected one stores nothing', async () => {
    const { id } = await enrol();
    const at = new Date(Date.now() - 60_000).toISOString();
    const normal = await http('POST', `/v1/enrollments/${id}/readings`, {
      key: api.keys.integrator,
      body: { id: 'r1', metric: 'blood_pressure', at, values: { sbp: 120, dbp: 80 } },
    });
    expect(normal.status, JSON.stringify(normal.body)).toBe(201);
    const duplicate = await http('POST', `/v1/enrollments/${id}/readings`, {
      key: api.keys.integrator,
      body: { id: 'r1', metric: 'blood_pressure', at, values: { sbp: 120, dbp: 80 } },
    });
    expect(duplicate.status).toBe(409);
    const unknownMetric = await http('POST', `/v1/enrollments/${id}/readings`, {
      key: api.keys.integrator,
      body: { id: 'r2', metric: 'glucose', at, values: { value: 5.1 } },
    });
    expect(unknownMetric.status).toBe(422);
    expect(unknownMetric.body.message).toContain("does not monitor 'glucose'");
    const critical = await http('POST', `/v1/enrollments/${id}/readings`, {
      key: api.keys.integrator,
      body: { id: 'r3', metric: 'blood_pressure', at, values: { sbp: 172, dbp: 112 } },
    });
    expect(critical.status).toBe(201);

    const stored = await api.database.db
      .selectFrom('readings')
      .select(['reading_id', 'metric', 'measurements', 'submitted_by'])
      .where('enrollment_id', '=', id)
      .orderBy('reading_id')
      .execute();
    expect(stored.map((r) => r.reading_id)).toEqual(['r1', 'r3']);
    expect(stored[1]).toMatchObject({ metric: 'blood_pressure', measurements: { sbp: 172, dbp: 112 } });
    await eventually(async () =>
      expect((await openTasksOf(id)).find((t) => t.stepId === 'bp_urgent')).toMatchObject({ role: 'obstetrician', kind: 'escalation', urgent: true }),
    );
    // The escalation is by phone: one task that is the call, not a task plus a '/call' task.
    const escalations = (await openTasksOf(id)).filter((t) => t.stepId === 'bp_urgent');
    expect(escalations).toHaveLength(1);
    expect(escalations[0]).toMatchObject({ occurrenceKey: expect.not.stringContaining('/call'), call: true });
  });

  it("stores questionnaire answers with the journey's score; answering twice is refused", async () => {
    const { id } = await enrol();
    await eventually(async () => {
      const view = await http('GET', `/v1/enrollments/${id}`, { key: api.keys.coordinator });
      expect(view.body.journey.open.map((o: { key: string }) => o.key)).toContain('mood_check#1');
    });
    const answered = await http('POST', `/v1/enrollments/${id}/questionnaires/mood_check/answers`, {
      key: api.keys.integrator,
      body: { items: { q1: 1, q2: 2 } },
    });
    expect(answered.status, JSON.stringify(answered.body)).toBe(201);
    expect(answered.body).toEqual({ key: 'mood_check#1', score: 3 });
    const stored = await api.database.db.selectFrom('questionnaire_responses').selectAll().where('enrollment_id', '=', id).execute();
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ occurrence_key: 'mood_check#1', questionnaire_id: 'mood', items: { q1: 1, q2: 2 }, score: 3 });

    const twice = await http('POST', `/v1/enrollments/${id}/questionnaires/${encodeURIComponent('mood_check#1')}/answers`, {
      key: api.keys.integrator,
      body: { items: { q1: 0, q2: 0 } },
    });
    expect(twice.status).toBe(422);
    expect(twice.body.message).toContain('already completed');
    const missingItem = await http('POST', `/v1/enrollments/${id}/questionnaires/mood/answers`, { key: api.keys.integrator, body: { items: { q1: 0 } } });
    expect(missingItem.status).toBe(422);
    expect(await api.database.db.selectFrom('questionnaire_responses').select('id').where('enrollment_id', '=', id).execute()).toHaveLength(1);
  });

  it('records entitlement uses once per ref: a cap refuses the use past it, a counter goes on and the view shows both', async () => {
    const { id } = await enrol();
    const use = (entitlement: string, ref: string, key = api.keys.butler) =>
      http('POST', `/v1/enrollments/${id}/entitlements/${entitlement}/uses`, { key, body: { ref } });
    expect((await use('green_channel', 'visit-1')).body).toMatchObject({
      entitlement: 'green_channel',
      ref: 'visit-1',
      duplicate: false,
      remaining: 1,
      used: 1,
      enforced: true,
    });
    const again = await use('green_channel', 'visit-1');
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ duplicate: true, remaining: 1, used: 1 });
    expect((await use('green_channel', 'visit-2')).body).toMatchObject({ remaining: 0, used: 2 });
    const refused = await use('green_channel', 'visit-3');
    expect(refused.status).toBe(422);
    expect(refused.body.message).toMatch(/no green_channel left \(2 per year\)/);
    // A counter: the third consultation in a month is recorded, past the billing basis.
    for (const ref of ['c-1', 'c-2', 'c-3']) expect((await use('consultation', ref)).status).toBe(201);
    expect((await use('consultation', 'c-4')).body).toMatchObject({ remaining: 0, used: 4, enforced: false });
    const unknown = await use('breakfast', 'b-1');
    expect(unknown.status).toBe(422);
    expect(unknown.body.message).toMatch(/has no entitlement 'breakfast' \(it has consultation, green_channel\)/);
    expect((await http('POST', `/v1/enrollments/${id}/entitlements/green_channel/uses`, { key: api.keys.butler, body: {} })).status).toBe(400);
    expect((await use('green_channel', 'visit-4', api.keys.ops)).status).toBe(403);
    const view = await eventually(async () => {
      const v = (await http('GET', `/v1/enrollments/${id}`, { key: api.keys.coordinator })).body;
      expect(v.journey.entitlements.consultation).toMatchObject({ used: 4, enforced: false });
      return v;
    });
    expect(view.journey.entitlements.green_channel).toMatchObject({ remaining: 0, used: 2 });
  });

  it('records events: an emergency raises an escalation task; an unknown event is refused', async () => {
    const { id } = await enrol();
    const emergency = await http('POST', `/v1/enrollments/${id}/events`, { key: api.keys.butler, body: { name: 'emergency', id: 'ev-1' } });
    expect(emergency.status, JSON.stringify(emergency.body)).toBe(200);
    expect(emergency.body).toMatchObject({ name: 'emergency', id: 'ev-1' });
    await eventually(async () => expect((await openTasksOf(id)).find((t) => t.stepId === 'emergency_call')).toMatchObject({ role: 'on_call', urgent: true }));
    const unknown = await http('POST', `/v1/enrollments/${id}/events`, { key: api.keys.butler, body: { name: 'discharged' } });
    expect(unknown.status).toBe(422);
  });

  it('lets only a doctor approve; a butler hands a task to another butler; butlers are kept to their own patients', async () => {
    const { id } = await enrol();
    const approval = await eventually(async () => {
      const found = (await openTasksOf(id)).find((t) => t.kind === 'approval');
      expect(found).toBeDefined();
      return found;
    });
    expect((await http('POST', `/v1/tasks/${approval.id}/complete`, { key: api.keys.butler, body: { data: { approved: true } } })).status).toBe(403);
    const coordinator = await http('POST', `/v1/tasks/${approval.id}/complete`, { key: api.keys.coordinator, body: { data: { approved: true } } });
    expect(coordinator.status).toBe(403);
    expect(coordinator.body.message).toBe('only a doctor approves');
    const doctor = await http('POST', `/v1/tasks/${approval.id}/complete`, { key: api.keys.doctor, body: { data: { approved: true, note: '已审核' } } });
    expect(doctor.status, JSON.stringify(doctor.body)).toBe(200);
    expect(doctor.body).toMatchObject({ status: 'done', result: { approved: true, note: '已审核' } });

    const booking = (await openTasksOf(id)).find((t) => t.stepId === 'book_visit');
    expect(
      (await http('POST', `/v1/tasks/${booking.id}/complete`, { key: api.keys.otherButler, body: { data: { appointment_at: new Date().toISOString() } } }))
        .status,
    ).toBe(403);
    expect((await http('GET', `/v1/enrollments/${id}`, { key: api.keys.otherButler })).status).toBe(403);
    expect((await http('GET', '/v1/tasks?assignee=b1', { key: api.keys.otherButler })).status).toBe(403);
    expect((await http('POST', `/v1/tasks/${booking.id}/reassign`, { key: api.keys.otherButler, body: { assignee: 'b2' } })).status).toBe(403);
    // A butler hands a task to another butler (a shift change), not to a doctor, not to a name nobody signs in with.
    const toDoctor = await http('POST', `/v1/tasks/${booking.id}/reassign`, { key: api.keys.butler, body: { assignee: 'b2', role: 'doctor' } });
    expect(toDoctor.status).toBe(403);
    expect(toDoctor.body.message).toContain('coordinator');
    const toNobody = await http('POST', `/v1/tasks/${booking.id}/reassign`, { key: api.keys.butler, body: { assignee: 'b404' } });
    expect(toNobody.status).toBe(422);
    expect(toNobody.body.message).toContain("no butler 'b404'");

    const reassigned = await http('POST', `/v1/tasks/${booking.id}/reassign`, { key: api.keys.butler, body: { assignee: 'b2' } });
    expect(reassigned.status).toBe(200);
    expect(reassigned.body).toMatchObject({ assignee: 'b2', role: 'butler' });
    expect((await worklist(api.keys.otherButler)).map((t) => t.id)).toContain(booking.id);
    expect((await worklist(api.keys.butler)).map((t) => t.id)).not.toContain(booking.id);
    const done = await http('POST', `/v1/tasks/${booking.id}/complete`, {
      key: api.keys.otherButler,
      body: { data: { appointment_at: new Date(Date.now() + 86_400_000).toISOString() } },
    });
    expect(done.status).toBe(200);
    expect(done.body.completedBy).toBe('b2');

    const mine = await http('GET', '/v1/enrollments?program=test.api-care', { key: api.keys.otherButler });
    expect(mine.status).toBe(200);
    expect(mine.body.items.every((e: { butlerId: string }) => e.butlerId === 'b2')).toBe(true);
    const all = await http('GET', '/v1/enrollments?program=test.api-care&status=active&limit=500', { key: api.keys.coordinator });
    expect(all.body.items.map((e: { id: string }) => e.id)).toContain(id);
  });

  async function counts() {
    const count = async (table: 'patients' | 'consents' | 'enrollments') =>
      Number(
        (
          await api.database.db
            .selectFrom(table)
            .select((eb) => eb.fn.countAll<string>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    return { patients: await count('patients'), consents: await count('consents'), enrollments: await count('enrollments') };
  }
});
