/**
 * A patient's stored identity changes only through its own route (issue 13, item 1): an
 * enrolment of a known patient never rewrites it, and a role that may not read identity cannot
 * link a phone number to her pseudonym (platform on real Temporal and PostgreSQL).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, enrollmentRequest, shanghaiDate, startApiPlatform, type ApiPlatform } from '../api/support/api-platform.ts';

describe("a patient's identity (platform on real Temporal and PostgreSQL)", () => {
  let api: ApiPlatform;
  const http = (method: string, url: string, options: Parameters<typeof call>[3] = {}) => call(api.url, method, url, options);
  const lite = (patient: Record<string, unknown>) => enrollmentRequest({ patient, program: 'test.api-lite', anchors: { checkup: shanghaiDate(-1) } });
  const identityOf = async (enrollmentId: string) => (await http('GET', `/v1/enrollments/${enrollmentId}`, { key: api.keys.coordinator })).body.patient;

  beforeAll(async () => {
    api = await startApiPlatform();
  });
  afterAll(async () => {
    await api?.stop();
  });

  it("never shows an integrator the pseudonym, in the enrolment's answer, its view or the list", async () => {
    const created = await http('POST', '/v1/enrollments', { key: api.keys.integrator, body: enrollmentRequest() });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(Object.keys(created.body).sort()).toEqual(['id', 'pathwayVersion', 'program', 'status']);
    const view = await http('GET', `/v1/enrollments/${created.body.id}`, { key: api.keys.integrator });
    expect(view.status).toBe(200);
    expect(view.body.patientRef).toBeUndefined();
    expect(view.body.patient).toBeUndefined();
    const list = await http('GET', '/v1/enrollments?limit=500', { key: api.keys.integrator });
    expect(list.body.items.length).toBeGreaterThan(0);
    expect(list.body.items.every((e: Record<string, unknown>) => !('patientRef' in e))).toBe(true);
    // Care staff still see it.
    expect((await http('GET', `/v1/enrollments/${created.body.id}`, { key: api.keys.coordinator })).body.patientRef).toMatch(/^pt_[0-9a-f]{20}$/);
  });

  it('keeps the stored identity when a known patient is enrolled again, with fields left out or the same ones', async () => {
    const first = enrollmentRequest();
    const a = await http('POST', '/v1/enrollments', { key: api.keys.integrator, body: first });
    expect(a.status).toBe(201);
    // Same identity document, the name spaced differently, phone and gender left out.
    const again = lite({ name: ` ${first.patient.name} `, idType: 'resident-id', idNumber: first.patient.idNumber.toLowerCase() });
    const b = await http('POST', '/v1/enrollments', { key: api.keys.integrator, body: again });
    expect(b.status, JSON.stringify(b.body)).toBe(201);
    expect(await identityOf(b.body.id)).toEqual(first.patient);
    expect(await identityOf(a.body.id)).toEqual(first.patient);
  });

  it('refuses an enrolment whose details differ from the record (409), naming the fields, changing nothing', async () => {
    const first = enrollmentRequest({ patient: { name: '母亲', phone: '13600000001', birthDate: '1970-05-01' } });
    const a = await http('POST', '/v1/enrollments', { key: api.keys.coordinator, body: first });
    expect(a.status).toBe(201);
    // Mother and daughter share one phone: the daughter must not become the mother's record.
    const daughter = lite({ name: '另一位患者', phone: first.patient.phone });
    const before = new Date();
    const byIntegrator = await http('POST', '/v1/enrollments', { key: api.keys.integrator, body: daughter });
    expect(byIntegrator.status).toBe(409);
    expect(byIntegrator.body).toMatchObject({ error: 'identity-mismatch', message: expect.stringContaining('different name') });
    expect(byIntegrator.text).not.toContain(a.body.patientRef);
    expect(byIntegrator.text).not.toContain(first.patient.name);
    const byCoordinator = await http('POST', '/v1/enrollments', { key: api.keys.coordinator, body: daughter });
    expect(byCoordinator.status).toBe(409);
    expect(byCoordinator.body.message).toContain(`PATCH /v1/patients/${a.body.patientRef}/identity`);
    expect(byCoordinator.text).not.toContain(first.patient.name);
    expect(await identityOf(a.body.id)).toEqual(first.patient);
    const enrolments = await api.database.db.selectFrom('enrollments').select('id').where('patient_ref', '=', a.body.patientRef).execute();
    expect(enrolments).toHaveLength(1);
    // Such an answer tells whether a phone is on record: each one is audited, without the values.
    const audited = await api.database.db
      .selectFrom('audit_log')
      .select(['actor_role', 'resource_id', 'details'])
      .where('action', '=', 'identity.conflict')
      .where('at', '>=', before)
      .orderBy('id')
      .execute();
    expect(audited.map((r) => [r.actor_role, r.resource_id, (r.details as { code: string }).code])).toEqual([
      ['integrator', 'POST /v1/enrollments', 'identity-mismatch'],
      ['coordinator', 'POST /v1/enrollments', 'identity-mismatch'],
    ]);
    expect(JSON.stringify(audited)).not.toContain(first.patient.phone);
    expect(JSON.stringify(audited)).not.toContain(daughter.patient.name as string);
  });

  it('changes an identity through its own route, for coordinators only, audited with the fields changed and not their values', async () => {
    const first = enrollmentRequest();
    const a = await http('POST', '/v1/enrollments', { key: api.keys.coordinator, body: first });
    const ref = a.body.patientRef as string;
    const url = `/v1/patients/${ref}/identity`;
    for (const key of [api.keys.integrator, api.keys.butler, api.keys.ops, api.keys.doctor]) {
      expect((await http('PATCH', url, { key, body: { phone: '13900000001' } })).status).toBe(403);
    }
    const newPhone = `138${first.patient.phone.slice(3)}`;
    const changed = await http('PATCH', url, { key: api.keys.coordinator, body: { phone: newPhone, gender: null, name: first.patient.name } });
    expect(changed.status, JSON.stringify(changed.body)).toBe(200);
    expect(changed.body).toEqual({ patientRef: ref, changed: ['phone', 'gender'] });
    const { gender: _cleared, ...rest } = first.patient;
    expect(await identityOf(a.body.id)).toEqual({ ...rest, phone: newPhone });
    const rows = await api.database.db
      .selectFrom('audit_log')
      .select(['action', 'details'])
      .where('action', '=', 'patient.identity.update')
      .where('resource_id', '=', ref)
      .execute();
    expect(rows).toEqual([{ action: 'patient.identity.update', details: { changed: ['phone', 'gender'] } }]);
    expect(JSON.stringify(rows)).not.toContain(newPhone);
    // The new details are the record now: an enrolment with them is the same patient.
    const again = await http('POST', '/v1/enrollments', { key: api.keys.coordinator, body: lite({ ...rest, phone: newPhone }) });
    expect(again.status, JSON.stringify(again.body)).toBe(201);
    expect(again.body).toMatchObject({ patientRef: ref, newPatient: false });
  });

  it("refuses a change to another patient's phone (409), one that leaves no identifier (422), and an unknown patient (404)", async () => {
    const one = enrollmentRequest({ patient: { name: '患者甲', phone: '13700000001' } });
    const two = enrollmentRequest({ patient: { name: '患者乙', phone: '13700000002' } });
    const a = await http('POST', '/v1/enrollments', { key: api.keys.coordinator, body: one });
    await http('POST', '/v1/enrollments', { key: api.keys.coordinator, body: two });
    const url = `/v1/patients/${a.body.patientRef}/identity`;
    const taken = await http('PATCH', url, { key: api.keys.coordinator, body: { phone: '137 0000 0002' } });
    expect(taken.status).toBe(409);
    expect(taken.body.error).toBe('conflict');
    const bare = await http('PATCH', url, { key: api.keys.coordinator, body: { phone: null } });
    expect(bare.status).toBe(422);
    expect(bare.body.message).toContain('identity document number or a phone number');
    expect((await http('PATCH', url, { key: api.keys.coordinator, body: {} })).status).toBe(400);
    expect((await http('PATCH', '/v1/patients/pt_00000000000000000000/identity', { key: api.keys.coordinator, body: { name: 'x' } })).status).toBe(404);
    expect(await identityOf(a.body.id)).toEqual(one.patient);
  });
});
