// The console's side of the API on the whole platform: staff sign in with a key for a session
// cookie, work through it (unsafe requests only with the console's header), sign out, and lose
// it when the key is revoked or the shift ends; the worklist shows names and gestational age;
// a task says what completing it takes; the console's pages are served with their policy.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/journey-harness.ts';
import { call, enrollmentRequest, shanghaiDate, startApiPlatform, type ApiPlatform } from '../api/support/api-platform.ts';

describe('staff sessions and the worklist the console shows', () => {
  let api: ApiPlatform;
  const http = (method: string, url: string, options: Parameters<typeof call>[3] = {}) => call(api.url, method, url, options);

  beforeAll(async () => {
    // Behind a TLS-terminating proxy, as a hospital would run it: the cookie is then Secure.
    api = await startApiPlatform({ CAREPATH_TRUST_PROXY: 'true' });
  });
  afterAll(async () => {
    await api?.stop();
  });

  async function signIn(apiKey: string): Promise<string> {
    const answer = await http('POST', '/v1/session', { body: { apiKey } });
    expect(answer.status, answer.text).toBe(200);
    const cookie = answer.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^carepath_session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Strict; Max-Age=36000$/);
    return cookie.split(';')[0]!;
  }

  async function enrol(lmpDaysAgo: number) {
    const request = enrollmentRequest({ anchors: { lmp: shanghaiDate(-lmpDaysAgo) } });
    const created = await http('POST', '/v1/enrollments', { key: api.keys.coordinator, body: request });
    expect(created.status, created.text).toBe(201);
    return { id: created.body.id as string, name: request.patient.name };
  }

  it('exchanges a key for a session that every route accepts, with what the role may do; refuses a wrong key', async () => {
    const wrong = await http('POST', '/v1/session', { body: { apiKey: 'cpk_not-a-key-at-all-not-a-key-at-all-000000' } });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('set-cookie')).toBeNull();
    expect((await http('POST', '/v1/session', { body: { key: api.keys.butler } })).status).toBe(400);

    const cookie = await signIn(api.keys.butler);
    const me = await http('GET', '/v1/session', { headers: { cookie } });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ name: '王管家', role: 'butler', butlerId: 'b1', until: expect.any(String) });
    expect(Date.parse(me.body.until) - Date.now()).toBeGreaterThan(9.9 * 3_600_000);
    expect(me.body.permissions).toEqual(expect.arrayContaining(['readTasks', 'completeTask', 'readIdentity', 'readInquiry']));
    expect(me.body.permissions).not.toContain('approve');
    expect(me.body.permissions).not.toContain('manageClients');
    expect(me.body.timeZone).toEqual({ name: 'Asia/Shanghai', offsetMinutes: 480 });
    const overTls = await http('POST', '/v1/session', { body: { apiKey: api.keys.butler }, headers: { 'x-forwarded-proto': 'https' } });
    expect(overTls.headers.get('set-cookie')).toMatch(/; HttpOnly; SameSite=Strict; Max-Age=36000; Secure$/);
    expect((await http('GET', '/v1/tasks', { headers: { cookie } })).status).toBe(200);
    // The same table as with the key: a butler creates no API clients.
    expect((await http('GET', '/v1/api-clients', { headers: { cookie } })).status).toBe(403);

    const opened = await api.database.db.selectFrom('audit_log').select(['actor_role', 'action']).where('action', '=', 'staff.session.open').execute();
    expect(opened).toContainEqual({ actor_role: 'butler', action: 'staff.session.open' });
  });

  it("refuses a session's unsafe request without the console's header (a page of another site cannot send it)", async () => {
    const patient = await enrol(100);
    const task = await eventually(async () => {
      const open = await http('GET', `/v1/tasks?status=open&enrollment=${patient.id}&kind=task`, { key: api.keys.butler });
      expect(open.body.items).toHaveLength(1);
      return open.body.items[0];
    });
    const cookie = await signIn(api.keys.butler);
    const body = { data: { appointment_at: `${shanghaiDate(3)}T09:30:00+08:00` } };
    const bare = await http('POST', `/v1/tasks/${task.id}/complete`, { headers: { cookie }, body });
    expect(bare.status).toBe(403);
    expect(bare.body.message).toContain('x-carepath-console');
    const denied = await api.database.db.selectFrom('audit_log').select(['actor_role', 'details']).where('action', '=', 'access.denied').execute();
    expect(denied.filter((d) => d.actor_role === 'butler' && JSON.stringify(d.details).includes('x-carepath-console'))).toHaveLength(1);
    const done = await http('POST', `/v1/tasks/${task.id}/complete`, { headers: { cookie, 'x-carepath-console': '1' }, body });
    expect(done.status, done.text).toBe(200);
    expect(done.body).toMatchObject({ status: 'done', completedBy: 'b1' });
  });

  it('ends a session on sign-out, when its key is revoked, and when the shift is over', async () => {
    const cookie = await signIn(api.keys.coordinator);
    expect((await http('DELETE', '/v1/session', { headers: { cookie } })).status).toBe(204);
    expect((await http('GET', '/v1/session', { headers: { cookie } })).status).toBe(401);
    expect((await http('GET', '/v1/tasks', { headers: { cookie } })).status).toBe(401);

    const created = await http('POST', '/v1/api-clients', { key: api.keys.admin, body: { name: '临时管家', role: 'butler', butlerId: 'b7' } });
    const revocable = await signIn(created.body.key);
    expect((await http('GET', '/v1/tasks', { headers: { cookie: revocable } })).status).toBe(200);
    expect((await http('DELETE', `/v1/api-clients/${created.body.id}`, { key: api.keys.admin })).status).toBe(204);
    expect((await http('GET', '/v1/tasks', { headers: { cookie: revocable } })).status).toBe(401);

    const expiring = await signIn(api.keys.doctor);
    await api.database.db
      .updateTable('staff_sessions')
      .set({ expires_at: new Date(Date.now() - 1000) })
      .execute();
    const after = await http('GET', '/v1/session', { headers: { cookie: expiring } });
    expect(after.status).toBe(401);
    expect(after.body.message).toContain('sign in again');
  });

  it("shows care staff each task's patient (name, gestational age) and follows a corrected anchor", async () => {
    const patient = await enrol(87); // 12+3 today
    const line = async (key: string) =>
      eventually(async () => {
        const answer = await http('GET', `/v1/tasks?status=open&include=patient&sort=urgent&enrollment=${patient.id}`, { key });
        expect(answer.status, answer.text).toBe(200);
        const item = answer.body.items.find((t: any) => t.stepId === 'book_visit');
        expect(item).toBeDefined();
        return item;
      });
    expect((await line(api.keys.butler)).patient).toEqual({ name: patient.name, age: { style: 'gestational-age', label: '12+3' } });
    const read = await api.database.db
      .selectFrom('audit_log')
      .select(['details'])
      .where('action', '=', 'patient.name.read')
      .where('actor_role', '=', 'butler')
      .execute();
    expect(read.some((r) => JSON.stringify(r.details).includes('worklist'))).toBe(true);

    // Soonest due first, or urgent first: a routine task due before the urgent booking.
    await api.database.db
      .insertInto('tasks')
      .values({
        id: `routine-${patient.id}`,
        enrollment_id: patient.id,
        occurrence_key: 'routine_call#1',
        step_id: 'routine_call',
        kind: 'task',
        title: '例行回访',
        role: 'butler',
        code: null,
        assignee: null,
        urgent: false,
        due_at: new Date(Date.now() - 86_400_000),
        completed_by: null,
        result: null,
      })
      .execute();
    const order = async (sort: string) =>
      (await http('GET', `/v1/tasks?status=open&kind=task&enrollment=${patient.id}${sort}`, { key: api.keys.butler })).body.items.map((t: any) => t.stepId);
    expect(await order('')).toEqual(['routine_call', 'book_visit']);
    expect(await order('&sort=urgent')).toEqual(['book_visit', 'routine_call']);
    await api.database.db.deleteFrom('tasks').where('id', '=', `routine-${patient.id}`).execute();

    // Re-dated by ultrasound: the EDD 4 days earlier, 13+0 today.
    const corrected = await http('PUT', `/v1/enrollments/${patient.id}/anchors/edd`, { key: api.keys.coordinator, body: { value: shanghaiDate(280 - 91) } });
    expect(corrected.status, corrected.text).toBe(200);
    expect((await line(api.keys.coordinator)).patient.age).toEqual({ style: 'gestational-age', label: '13+0' });

    // Operations read the worklist pseudonymously: no names for them.
    const ops = await http('GET', `/v1/tasks?status=open&include=patient`, { key: api.keys.ops });
    expect(ops.status).toBe(403);
    expect(ops.body.message).toContain('include=patient');
  });

  it("keeps the worklist's age in step with the journey: an event that sets an anchor, enrolments from before the copy, a write a crash lost", async () => {
    const patient = await enrol(270);
    const age = async () =>
      eventually(async () => {
        const answer = await http('GET', `/v1/tasks?status=open&include=patient&enrollment=${patient.id}`, { key: api.keys.butler });
        expect(answer.status, answer.text).toBe(200);
        expect(answer.body.items.length).toBeGreaterThan(0);
        return answer.body.items[0].patient.age;
      });
    expect(await age()).toEqual({ style: 'gestational-age', label: '38+4' });
    const delivered = await http('POST', `/v1/enrollments/${patient.id}/events`, {
      key: api.keys.coordinator,
      body: { name: 'delivered', at: `${shanghaiDate(-2)}T10:00:00+08:00` },
    });
    expect(delivered.status, delivered.text).toBe(200);
    const deliveredAt = new Date(`${shanghaiDate(-2)}T10:00:00+08:00`).toISOString();
    expect(await age()).toEqual({ style: 'postpartum', label: '产后D+2' });

    const rows = () =>
      api.database.db
        .selectFrom('enrollment_anchors')
        .select(['kind', 'name', 'value', 'source'])
        .where('enrollment_id', '=', patient.id)
        .orderBy('kind')
        .execute();
    // An enrolment made before the copy existed: the worklist asks its journey once, and records it.
    await api.database.db.deleteFrom('enrollment_anchors').where('enrollment_id', '=', patient.id).execute();
    expect(await age()).toEqual({ style: 'postpartum', label: '产后D+2' });
    expect(await rows()).toEqual([
      { kind: 'anchor', name: 'lmp', value: shanghaiDate(-270), source: 'journey' },
      { kind: 'event', name: 'delivered', value: deliveredAt, source: 'journey' },
    ]);

    // A copy gone wrong (the journey took an update, the row was not written): reading the enrolment puts it right.
    await api.database.db
      .updateTable('enrollment_anchors')
      .set({ value: shanghaiDate(-200) })
      .where('enrollment_id', '=', patient.id)
      .where('name', '=', 'lmp')
      .execute();
    await api.database.db
      .insertInto('enrollment_anchors')
      .values({ enrollment_id: patient.id, kind: 'anchor', name: 'edd', value: shanghaiDate(1), source: 'corrected' })
      .execute();
    const read = await http('GET', `/v1/enrollments/${patient.id}`, { key: api.keys.coordinator });
    expect(read.status, read.text).toBe(200);
    expect((await rows()).map((r) => [r.kind, r.name, r.kind === 'event' ? new Date(r.value).toISOString() : r.value])).toEqual([
      ['anchor', 'lmp', shanghaiDate(-270)],
      ['event', 'delivered', deliveredAt],
    ]);
  });

  it('says what completing each task takes: the step’s produces, an approval’s decision', async () => {
    const patient = await enrol(100);
    const tasks = await eventually(async () => {
      const open = await http('GET', `/v1/tasks?status=open&enrollment=${patient.id}`, { key: api.keys.coordinator });
      expect(open.body.items.map((t: any) => t.stepId).sort()).toEqual(['book_visit', 'report_approval']);
      return open.body.items as any[];
    });
    const detail = async (stepId: string, key = api.keys.coordinator) => http('GET', `/v1/tasks/${tasks.find((t) => t.stepId === stepId).id}`, { key });
    const booking = await detail('book_visit');
    expect(booking.status).toBe(200);
    expect(booking.body.form).toEqual([{ name: 'appointment_at', type: 'datetime', required: true }]);
    expect(booking.body.patient).toMatchObject({ name: patient.name });
    expect((await detail('report_approval')).body.form).toEqual([
      { name: 'approved', type: 'bool', required: true },
      { name: 'note', type: 'string', required: false, maxLength: 2000 },
    ]);
    // A butler of other patients may not open it.
    expect((await detail('book_visit', api.keys.otherButler)).status).toBe(403);
    expect((await http('GET', '/v1/tasks/no-such-task', { key: api.keys.coordinator })).status).toBe(404);
  });

  it('serves the console: / leads there, its pages under a content policy, assets compressed and cached for good', async () => {
    const root = await fetch(`${api.url}/`, { redirect: 'manual' });
    expect(root.status).toBe(302);
    expect(root.headers.get('location')).toBe('/console/');
    const page = await fetch(`${api.url}/console/tasks/some-task`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(page.headers.get('cache-control')).toBe('no-cache');
    const html = await page.text();
    const asset = /src="(\/console\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(asset).toBeDefined();
    const script = await fetch(`${api.url}${asset}`, { headers: { 'accept-encoding': 'br' } });
    expect(script.status).toBe(200);
    expect(script.headers.get('content-encoding')).toBe('br');
    expect(script.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect((await fetch(`${api.url}/console/assets/nope.js`)).status).toBe(404);
  });
});
