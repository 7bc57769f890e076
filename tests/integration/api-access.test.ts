import { Connection } from '@temporalio/client';
import { request as httpRequest } from 'node:http';
import Fastify, { type RouteOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { app } from '../../api/app.ts';
import { PathwayRegistry } from '../../pathway/registry.ts';
import { eventually } from '../support/journey-harness.ts';
import { call, enrollmentRequest, shanghaiDate, startApiPlatform, type ApiPlatform, type Keys } from '../api/support/api-platform.ts';

type Role = keyof Keys;

interface RouteCase {
  method: string;
  url: () => string;
  /** A role the route refuses (403); null when every role may call it. */
  forbidden: Role | null;
  /** A well-formed body, so that the guard, not validation, decides. */
  body?: () => unknown;
  /** The same route with an id that does not exist (404). */
  unknownUrl?: string;
  /** A body of the wrong types (400). */
  wrongBody?: unknown;
  /** A query of the wrong types (400). */
  wrongQuery?: string;
}

describe('access control, bad input and privacy on every route', () => {
  let api: ApiPlatform;
  let enrollmentId: string;
  let taskId: string;
  let inquiryId: string;
  let clientId: string;
  const patient = enrollmentRequest();
  const http = (method: string, url: string, options: Parameters<typeof call>[3] = {}) => call(api.url, method, url, options);

  beforeAll(async () => {
    api = await startApiPlatform();
    const enrolled = await http('POST', '/v1/enrollments', { key: api.keys.coordinator, body: patient });
    expect(enrolled.status).toBe(201);
    enrollmentId = enrolled.body.id;
    taskId = await eventually(async () => {
      const items = (await http('GET', `/v1/tasks?enrollment=${enrollmentId}&role=butler`, { key: api.keys.coordinator })).body.items;
      expect(items.length).toBeGreaterThan(0);
      return items[0].id as string;
    });
    inquiryId = (await http('POST', '/v1/inquiries', { key: api.keys.integrator, body: { enrollmentId, question: '我今天有点头晕，需要去医院吗？' } })).body.id;
    clientId = (await http('POST', '/v1/api-clients', { key: api.keys.admin, body: { name: '临时', role: 'ops' } })).body.id;
  });
  afterAll(async () => {
    await api?.stop();
  });

  const routes: RouteCase[] = [
    {
      method: 'POST',
      url: () => '/v1/enrollments',
      forbidden: 'ops',
      body: () => enrollmentRequest(),
      wrongBody: { ...enrollmentRequest(), anchors: { lmp: 20260101 } },
    },
    { method: 'GET', url: () => '/v1/enrollments', forbidden: null, wrongQuery: '?limit=many' },
    { method: 'GET', url: () => `/v1/enrollments/${enrollmentId}`, forbidden: 'otherButler', unknownUrl: '/v1/enrollments/no-such-enrolment' },
    {
      method: 'GET',
      url: () => `/v1/enrollments/${enrollmentId}/messages`,
      forbidden: 'otherButler',
      unknownUrl: '/v1/enrollments/no-such-enrolment/messages',
    },
    {
      method: 'GET',
      url: () => `/v1/enrollments/${enrollmentId}/timeline`,
      forbidden: 'otherButler',
      unknownUrl: '/v1/enrollments/no-such-enrolment/timeline',
    },
    {
      method: 'POST',
      url: () => `/v1/enrollments/${enrollmentId}/events`,
      forbidden: 'ops',
      body: () => ({ name: 'nothing' }),
      unknownUrl: '/v1/enrollments/nope/events',
      wrongBody: { name: 7 },
    },
    {
      method: 'PUT',
      url: () => `/v1/enrollments/${enrollmentId}/anchors/edd`,
      forbidden: 'integrator',
      body: () => ({ value: 'x' }),
      unknownUrl: '/v1/enrollments/nope/anchors/edd',
      wrongBody: { value: true },
    },
    {
      method: 'PUT',
      url: () => `/v1/enrollments/${enrollmentId}/variables/high_risk`,
      forbidden: 'integrator',
      body: () => ({ value: 'x' }),
      unknownUrl: '/v1/enrollments/nope/variables/high_risk',
      wrongBody: { value: { nested: true } },
    },
    {
      method: 'POST',
      url: () => `/v1/enrollments/${enrollmentId}/readings`,
      forbidden: 'ops',
      body: () => ({ id: 'x', metric: 'nope', at: new Date().toISOString(), values: { v: 1 } }),
      unknownUrl: '/v1/enrollments/nope/readings',
      wrongBody: { id: 'x', metric: 'blood_pressure', at: 'noon', values: { sbp: '120' } },
    },
    {
      method: 'POST',
      url: () => `/v1/enrollments/${enrollmentId}/questionnaires/mood_check/answers`,
      forbidden: 'doctor',
      body: () => ({ items: { zz: 1 } }),
      unknownUrl: '/v1/enrollments/nope/questionnaires/mood_check/answers',
      wrongBody: { items: { q1: 'often' } },
    },
    { method: 'GET', url: () => '/v1/tasks', forbidden: 'integrator', wrongQuery: '?due_before=tomorrow' },
    {
      method: 'POST',
      url: () => `/v1/tasks/${taskId}/complete`,
      forbidden: 'ops',
      body: () => ({ data: { nope: 1 } }),
      unknownUrl: '/v1/tasks/nope/complete',
      wrongBody: { data: { appointment_at: { when: 'soon' } } },
    },
    {
      method: 'POST',
      url: () => `/v1/tasks/${taskId}/reassign`,
      forbidden: 'doctor',
      body: () => ({ assignee: 'b1' }),
      unknownUrl: '/v1/tasks/nope/reassign',
      wrongBody: { assignee: ['b2'] },
    },
    { method: 'GET', url: () => '/v1/pathways', forbidden: null },
    { method: 'GET', url: () => '/v1/pathways/test.api-care', forbidden: null, unknownUrl: '/v1/pathways/no.such-pathway' },
    {
      method: 'GET',
      url: () => `/v1/pathways/test.api-care/preview?anchor.lmp=${shanghaiDate(-10)}`,
      forbidden: null,
      unknownUrl: '/v1/pathways/no.such-pathway/preview?anchor.lmp=2026-01-01',
      wrongQuery: '?anchor.lmp=2026-01-01&colour=red',
    },
    {
      method: 'POST',
      url: () => '/v1/inquiries',
      forbidden: 'doctor',
      body: () => ({ enrollmentId: 'nope', question: '?' }),
      wrongBody: { enrollmentId: 'any', question: '?', urgent: 'yes' },
    },
    { method: 'GET', url: () => `/v1/inquiries/${inquiryId}`, forbidden: 'ops', unknownUrl: '/v1/inquiries/nope' },
    {
      method: 'GET',
      url: () => '/v1/reports/kpi?from=2026-01-01T00:00:00Z&to=2026-02-01T00:00:00Z',
      forbidden: 'butler',
      wrongQuery: '?from=yesterday&to=today',
    },
    {
      method: 'POST',
      url: () => '/v1/api-clients',
      forbidden: 'coordinator',
      body: () => ({ name: 'x', role: 'ops' }),
      wrongBody: { name: 'x', role: 'superuser' },
    },
    { method: 'GET', url: () => '/v1/api-clients', forbidden: 'ops' },
    { method: 'DELETE', url: () => `/v1/api-clients/${clientId}`, forbidden: 'butler', unknownUrl: '/v1/api-clients/nope' },
    { method: 'GET', url: () => '/metrics', forbidden: 'butler' },
    { method: 'POST', url: () => '/codec/decode', forbidden: 'butler', body: () => ({ payloads: [] }) },
  ];
  const label = (r: RouteCase) =>
    `${r.method} ${
      r
        .url()
        .replace(/[0-9a-f-]{36}|cl_[0-9a-f]+/g, ':id')
        .split('?')[0]
    }`;
  const headersFor = (r: RouteCase) => (r.url().startsWith('/codec') ? { 'x-namespace': 'default' } : undefined);

  it('answers 401 without a key, with a malformed key and with an unknown key, on every guarded route', async () => {
    for (const route of routes) {
      for (const key of [undefined, 'not-a-key', `cpk_${'A'.repeat(43)}`]) {
        const response = await http(route.method, route.url(), {
          ...(key ? { key } : {}),
          ...(route.body ? { body: route.body() } : {}),
          headers: headersFor(route) ?? {},
        });
        expect(response.status, `${label(route)} with ${key ?? 'no key'}`).toBe(401);
        expect(response.body).toMatchObject({ error: 'unauthorized', message: expect.any(String) });
        expect(response.headers.get('www-authenticate')).toBe('Bearer');
      }
    }
  });

  it('answers 403 to a role the route refuses, and audits the refusal', async () => {
    for (const route of routes.filter((r) => r.forbidden)) {
      const response = await http(route.method, route.url(), {
        key: api.keys[route.forbidden!],
        ...(route.body ? { body: route.body() } : {}),
        headers: headersFor(route) ?? {},
      });
      expect(response.status, label(route)).toBe(403);
      expect(response.body).toMatchObject({ error: 'forbidden' });
    }
    const denied = await api.database.db
      .selectFrom('audit_log')
      .select(['actor_role', 'resource_id', 'source_ip'])
      .where('action', '=', 'access.denied')
      .execute();
    expect(denied.length).toBeGreaterThanOrEqual(10);
    expect(denied).toContainEqual({ actor_role: 'ops', resource_id: 'POST /v1/enrollments', source_ip: '127.0.0.1' });
    // A butler is refused other butlers' worklists and patients.
    expect((await http('GET', '/v1/enrollments?butler=b1', { key: api.keys.otherButler })).status).toBe(403);
  });

  it('answers a clear 4xx, never a 500, to malformed JSON, wrong types, unknown ids and oversized bodies, writing nothing', async () => {
    const before = await counts();
    for (const route of routes) {
      const headers = headersFor(route) ?? {};
      if (route.body) {
        const malformed = await http(route.method, route.url(), { key: api.keys.admin, rawBody: '{"name": "x",', headers });
        expect(malformed.status, `${label(route)} malformed`).toBe(400);
        expect(malformed.body).toMatchObject({ error: 'invalid-json' });
        const oversized = await http(route.method, route.url(), {
          key: api.keys.admin,
          rawBody: JSON.stringify({ padding: 'x'.repeat(route.url().startsWith('/v1') ? 100 * 1024 : 9 * 1024 * 1024) }),
          headers,
        });
        expect(oversized.status, `${label(route)} oversized`).toBe(413);
        expect(oversized.body).toMatchObject({ error: 'payload-too-large' });
        const notJson = await http(route.method, route.url(), {
          key: api.keys.admin,
          rawBody: '<name>x</name>',
          headers: { ...headers, 'content-type': 'application/xml' },
        });
        expect(notJson.status, `${label(route)} xml`).toBe(415);
        expect(notJson.body).toMatchObject({ error: 'unsupported-media-type' });
        const text = await http(route.method, route.url(), { key: api.keys.admin, rawBody: '{}', headers: { ...headers, 'content-type': 'text/plain' } });
        expect(text.status, `${label(route)} text/plain`).toBe(415);
        // Bytes that are not UTF-8 (a lone 0xFF) are refused, not turned into U+FFFD.
        const latin1 = await http(route.method, route.url(), { key: api.keys.admin, rawBody: Buffer.from('{"name": "\xff"}', 'latin1'), headers });
        expect(latin1.status, `${label(route)} invalid UTF-8`).toBe(400);
        expect(latin1.body).toMatchObject({ error: 'invalid-text', message: expect.stringContaining('UTF-8') });
      }
      if (route.wrongBody !== undefined) {
        const wrong = await http(route.method, route.url(), { key: api.keys.admin, body: route.wrongBody, headers });
        expect(wrong.status, `${label(route)} wrong types`).toBe(400);
        expect(wrong.body).toMatchObject({ error: 'invalid-request', message: expect.any(String) });
      }
      if (route.wrongQuery !== undefined) {
        const wrong = await http(route.method, route.url().split('?')[0] + route.wrongQuery, { key: api.keys.admin });
        expect(wrong.status, `${label(route)} wrong query`).toBe(400);
      }
      if (route.unknownUrl !== undefined) {
        const unknown = await http(route.method, route.unknownUrl, { key: api.keys.admin, ...(route.body ? { body: route.body() } : {}) });
        expect(unknown.status, `${label(route)} unknown id`).toBe(404);
        expect(unknown.body).toMatchObject({ error: 'not-found' });
      }
    }
    const unknownInquiry = await http('POST', '/v1/inquiries', { key: api.keys.admin, body: { enrollmentId: 'nope', question: '?' } });
    expect(unknownInquiry.status).toBe(404);
    expect(await counts()).toEqual(before);
  });

  it('keeps identity encrypted at rest and out of logs, workflow ids and search attributes; audits every read', async () => {
    const read = await http('GET', `/v1/enrollments/${enrollmentId}`, { key: api.keys.coordinator });
    expect(read.body.patient.name).toBe(patient.patient.name);
    const row = await api.database.db.selectFrom('patients').selectAll().where('patient_ref', '=', read.body.patientRef).executeTakeFirstOrThrow();
    for (const secret of [patient.patient.name, patient.patient.phone, patient.patient.idNumber]) {
      expect(row.identity_ciphertext.includes(Buffer.from(secret))).toBe(false);
      expect(row.identifier_hash).not.toContain(secret);
      expect(api.logs.join('\n')).not.toContain(secret);
    }
    expect(row.identifier_hash).toMatch(/^hmac-sha256:lookup-dev-[0-9a-f]{8}:[0-9a-f]{64}$/);
    const enrollment = await api.database.db.selectFrom('enrollments').selectAll().where('id', '=', enrollmentId).executeTakeFirstOrThrow();
    expect(enrollment.workflow_id).toBe(`journey/default/test.api-care/${row.patient_ref}`);

    const audited = await api.database.db
      .selectFrom('audit_log')
      .selectAll()
      .where('resource_id', 'in', [enrollmentId, row.patient_ref])
      .orderBy('id')
      .execute();
    expect(audited.map((a) => a.action)).toEqual(expect.arrayContaining(['enrollment.create', 'enrollment.read', 'patient.identity.read']));
    const identityRead = audited.find((a) => a.action === 'patient.identity.read')!;
    expect(identityRead).toMatchObject({ actor_role: 'coordinator', resource_type: 'patient', source_ip: '127.0.0.1' });
    expect(identityRead.actor).toMatch(/^cl_/);
    expect(JSON.stringify(audited)).not.toContain(patient.patient.name);
    const listed = await api.database.db
      .selectFrom('audit_log')
      .select('action')
      .where('action', 'in', ['task.list', 'enrollment.list', 'inquiry.create', 'api-client.create'])
      .execute();
    expect(new Set(listed.map((a) => a.action))).toEqual(new Set(['task.list', 'inquiry.create', 'api-client.create']));
  });

  it('describes every route in /openapi.json, with a browsable page at /docs', async () => {
    const spec = await http('GET', '/openapi.json');
    expect(spec.status).toBe(200);
    expect(spec.body.openapi).toBe('3.1.0');
    expect(Object.keys(spec.body.paths)).toEqual(
      expect.arrayContaining([
        '/health',
        '/metrics',
        '/v1/enrollments',
        '/v1/enrollments/{id}',
        '/v1/enrollments/{id}/anchors/{name}',
        '/v1/tasks/{id}/complete',
        '/v1/pathways/{id}/preview',
        '/v1/inquiries',
        '/v1/reports/kpi',
      ]),
    );
    expect(spec.body.paths['/v1/enrollments'].post.requestBody.content['application/json'].schema.required).toEqual([
      'patient',
      'consent',
      'program',
      'anchors',
      'butlerId',
    ]);
    expect(spec.body.paths['/v1/tasks'].get.security).toEqual([{ bearerAuth: [] }]);
    const docs = await http('GET', '/docs');
    expect(docs.status).toBe(200);
    expect(docs.text).toContain('swagger-ui');
  });

  it('gives every route of the app a JSON schema', async () => {
    const server = Fastify();
    const registered: RouteOptions[] = [];
    server.addHook('onRoute', (route) => {
      registered.push(route);
    });
    const connection = await Connection.connect({ address: inject('temporalAddress') });
    try {
      await server.register(app, {
        deps: {
          db: api.database.db,
          pathways: new PathwayRegistry(),
          temporal: { connection, client: null as never, namespace: 'default', taskQueue: 'q' },
          codec: { codec: { encode: async (p) => p, decode: async (p) => p }, allowedOrigins: ['http://127.0.0.1:8233'] },
        },
      });
      await server.ready();
      const ours = registered.filter((r) => !String(r.url).startsWith('/docs') && r.method !== 'HEAD' && r.method !== 'OPTIONS');
      expect(ours.length).toBeGreaterThanOrEqual(22);
      expect(ours.filter((r) => !r.schema).map((r) => `${r.method} ${r.url}`)).toEqual([]);
    } finally {
      await server.close();
      await connection.close();
    }
  });

  it('limits the rate per caller with 429 in the one error format', async () => {
    const server = Fastify();
    const connection = await Connection.connect({ address: inject('temporalAddress') });
    try {
      await server.register(app, {
        deps: {
          db: api.database.db,
          pathways: new PathwayRegistry(),
          temporal: { connection, client: null as never, namespace: 'default', taskQueue: 'q' },
          limits: { rateLimitPerMinute: 3 },
        },
      });
      const statuses: number[] = [];
      let last;
      for (let i = 0; i < 4; i++) {
        last = await server.inject({ method: 'GET', url: '/v1/pathways', headers: { authorization: `Bearer ${api.keys.ops}` } });
        statuses.push(last.statusCode);
      }
      expect(statuses).toEqual([200, 200, 200, 429]);
      expect(last!.json()).toMatchObject({ error: 'rate-limited', message: expect.stringContaining('at most 3 a minute') });
      expect(last!.headers['retry-after']).toBeDefined();
      // Another caller has their own budget; /health is never limited.
      expect((await server.inject({ method: 'GET', url: '/v1/pathways', headers: { authorization: `Bearer ${api.keys.doctor}` } })).statusCode).toBe(200);
    } finally {
      await server.close();
      await connection.close();
    }
  });

  /** The app on its own Fastify instance with a small rate limit, for the rate and audit tests. */
  async function limitedServer(rateLimitPerMinute: number) {
    const server = Fastify();
    const connection = await Connection.connect({ address: inject('temporalAddress') });
    await server.register(app, {
      deps: {
        db: api.database.db,
        pathways: new PathwayRegistry(),
        temporal: { connection, client: null as never, namespace: 'default', taskQueue: 'q' },
        limits: { rateLimitPerMinute },
      },
    });
    return {
      get: (url: string, authorization?: string) => server.inject({ method: 'GET', url, headers: authorization ? { authorization } : {} }),
      async close() {
        await server.close();
        await connection.close();
      },
    };
  }

  it('counts refused requests against the key, however its header is spelled', async () => {
    const server = await limitedServer(3);
    try {
      const key = api.keys.butler;
      // A butler may not read reports: three refusals use the budget, in three spellings.
      const spellings = [`Bearer ${key}`, `bearer ${key}`, `Bearer \t${key} `, `BEARER  ${key}`];
      const statuses = [];
      for (const header of spellings) statuses.push((await server.get('/v1/reports/kpi?from=2026-01-01T00:00:00Z&to=2026-02-01T00:00:00Z', header)).statusCode);
      expect(statuses).toEqual([403, 403, 403, 429]);
      // The same key on a route it may use: still over its limit.
      expect((await server.get('/v1/pathways', `Bearer ${key}`)).statusCode).toBe(429);
    } finally {
      await server.close();
    }
  });

  it('limits every request by address before authentication: unknown keys, no key and unknown routes', async () => {
    // Per address: ten times the per-key limit (staff share a hospital's address).
    const server = await limitedServer(1);
    try {
      const statuses = [];
      for (let i = 0; i < 7; i++) statuses.push((await server.get('/v1/pathways', `Bearer cpk_${'A'.repeat(43)}`)).statusCode);
      for (let i = 0; i < 7; i++) statuses.push((await server.get('/v1/no-such-route')).statusCode);
      for (let i = 0; i < 7; i++) statuses.push((await server.get('/v1/pathways')).statusCode);
      expect(statuses.slice(0, 7)).toEqual(Array(7).fill(401));
      expect(statuses.slice(7, 14)).toEqual([404, 404, 404, 429, 429, 429, 429]);
      expect(new Set(statuses.slice(14))).toEqual(new Set([429]));
      const limited = await server.get('/v1/pathways');
      expect(limited.json()).toMatchObject({ error: 'rate-limited', message: expect.stringContaining('from this address') });
      expect(limited.headers['retry-after']).toBeDefined();
      expect((await server.get('/health')).statusCode).not.toBe(429);
    } finally {
      await server.close();
    }
  });

  it('audits repeated refusals of one key on one route as one row and a count, and a butler refused another butler’s patient', async () => {
    const server = await limitedServer(1000);
    const before = new Date();
    try {
      for (let i = 0; i < 20; i++) expect((await server.get('/v1/api-clients', `Bearer ${api.keys.doctor}`)).statusCode).toBe(403);
      expect((await server.get(`/v1/enrollments/${enrollmentId}`, `Bearer ${api.keys.otherButler}`)).statusCode).toBe(403);
    } finally {
      await server.close(); // writes the pending counts
    }
    const rows = await api.database.db
      .selectFrom('audit_log')
      .select(['action', 'actor_role', 'resource_id', 'details'])
      .where('at', '>=', before)
      .where('action', 'like', 'access.denied%')
      .orderBy('id')
      .execute();
    const doctor = rows.filter((r) => r.actor_role === 'doctor');
    expect(doctor.map((r) => r.action)).toEqual(['access.denied', 'access.denied.repeated']);
    expect(doctor[0]).toMatchObject({ resource_id: 'GET /v1/api-clients', details: { permission: 'manageClients' } });
    expect(doctor[1]!.details).toMatchObject({ repeats: 19 });
    const butler = rows.filter((r) => r.actor_role === 'butler');
    expect(butler).toEqual([
      {
        action: 'access.denied',
        actor_role: 'butler',
        resource_id: 'GET /v1/enrollments/:id',
        details: { code: 'forbidden', reason: 'this enrolment is not one of your patients', target: { id: enrollmentId }, butlerId: 'b2' },
      },
    ]);
  });

  it('answers 4xx, never a 500, to text PostgreSQL cannot store and to times outside what the platform handles, writing nothing', async () => {
    const before = await counts();
    const raw = (url: string, json: string) => http('POST', url, { key: api.keys.coordinator, rawBody: json });
    const enrolment = (patch: (r: ReturnType<typeof enrollmentRequest>) => void) => {
      const request = enrollmentRequest();
      patch(request);
      return JSON.stringify(request);
    };
    const cases: [string, Promise<Awaited<ReturnType<typeof http>>>, number, string][] = [
      [
        'NUL in a name',
        raw(
          '/v1/enrollments',
          enrolment((r) => (r.patient.name = 'a\u0000b')),
        ),
        400,
        'body.patient.name holds a NUL',
      ],
      [
        'NUL escape in a variable (jsonb)',
        raw(
          '/v1/enrollments',
          enrolment((r) => Object.assign(r, { variables: { note: 'x\u0000' } })),
        ),
        400,
        'body.variables.note',
      ],
      ['lone surrogate in a question', raw('/v1/inquiries', `{"enrollmentId": "${enrollmentId}", "question": "\\ud800 头晕"}`), 400, 'body.question'],
      ['NUL in a query', http('GET', '/v1/enrollments?program=a%00b', { key: api.keys.coordinator }), 400, 'query.program'],
      ['NUL in a path', http('GET', '/v1/enrollments/a%00b', { key: api.keys.coordinator }), 400, 'path.id'],
      [
        'offset beyond ±15:59',
        raw(
          '/v1/enrollments',
          enrolment((r) => (r.consent.givenAt = '2026-01-01T10:00:00+23:00')),
        ),
        400,
        'offsets within ±15:59',
      ],
      [
        'year 0001',
        raw(
          '/v1/enrollments',
          enrolment((r) => (r.consent.givenAt = '0001-01-01T00:00:00Z')),
        ),
        400,
        'years 1900–2999',
      ],
      ['year 0023 asked', raw('/v1/inquiries', JSON.stringify({ enrollmentId, question: '头晕', askedAt: '0023-05-01T08:00:00+08:00' })), 400, 'format'],
      [
        'year 0023 anchor',
        raw(
          '/v1/enrollments',
          enrolment((r) => (r.anchors.lmp = '0023-01-01')),
        ),
        422,
        'invalid anchors',
      ],
      [
        'LMP in 1900',
        raw(
          '/v1/enrollments',
          enrolment((r) => (r.anchors.lmp = '1900-01-01')),
        ),
        422,
        'not plausible',
      ],
      [
        'LMP in 2999',
        raw(
          '/v1/enrollments',
          enrolment((r) => (r.anchors.lmp = '2999-01-01')),
        ),
        422,
        '156w before to 156w after the enrolment day',
      ],
      [
        'LMP in 3000',
        raw(
          '/v1/enrollments',
          enrolment((r) => (r.anchors.lmp = '3000-01-01')),
        ),
        422,
        'YYYY-MM-DD (years 1900–2999)',
      ],
      [
        'offset +23:00 anchor',
        raw(
          '/v1/enrollments',
          enrolment((r) => (r.anchors.lmp = '2026-01-01T00:00:00+23:00')),
        ),
        422,
        'invalid anchors',
      ],
    ];
    for (const [what, answer, status, says] of cases) {
      const response = await answer;
      expect(response.status, `${what}: ${response.text}`).toBe(status);
      expect(response.body.message, what).toContain(says);
    }
    expect(await counts()).toEqual(before);
    // The worklist still answers (a stored year-0023 task once broke every page that held it).
    expect((await http('GET', '/v1/tasks?status=open', { key: api.keys.coordinator })).status).toBe(200);
  });

  it("refuses a long path parameter and a path that is not UTF-8 in the one error shape, the schema's limit after authentication", async () => {
    const long = `/v1/enrollments/${'a'.repeat(200)}`;
    const anonymous = await http('GET', long);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toBe('Bearer');
    const tooLong = await http('GET', long, { key: api.keys.coordinator });
    expect(tooLong.status).toBe(400);
    expect(tooLong.body).toMatchObject({ error: 'invalid-request', message: expect.stringContaining('params/id') });
    const overRouter = await http('GET', `/v1/enrollments/${'a'.repeat(2_000)}`, { key: api.keys.coordinator });
    expect(overRouter.status).toBe(414);
    expect(overRouter.body).toEqual({ error: 'uri-too-long', message: 'a path segment is longer than 1024 characters', details: null });
    const badEncoding = await http('GET', '/v1/enrollments/%FF', { key: api.keys.coordinator });
    expect(badEncoding.status).toBe(400);
    expect(badEncoding.body).toMatchObject({ error: 'invalid-url' });
    const badQuery = await http('GET', '/v1/enrollments?program=%FF', { key: api.keys.coordinator });
    expect(badQuery.status, badQuery.text).toBeLessThan(500);
  });

  it('answers 405 with Allow for a method a served path does not take, before authentication, and 404 for a path it does not serve', async () => {
    const put = await http('PUT', '/v1/tasks?status=open');
    expect(put.status).toBe(405);
    expect(put.headers.get('allow')).toBe('GET, HEAD');
    expect(put.body).toEqual({
      error: 'method-not-allowed',
      message: 'PUT is not allowed on /v1/tasks; it takes GET, HEAD',
      details: { allowed: ['GET', 'HEAD'] },
    });
    const withParam = await http('DELETE', '/v1/enrollments/e-1/events', { key: api.keys.coordinator });
    expect([withParam.status, withParam.headers.get('allow')]).toEqual([405, 'POST']);
    // QUERY carries a body, so Fastify asks for its Content-Type before the not-found handler runs.
    const query = await http('QUERY', '/v1/pathways/test.api-care');
    expect([query.status, query.headers.get('allow')]).toEqual([405, 'GET, HEAD']);
    // TRACE is refused by fetch itself: sent with node:http.
    const trace = await new Promise<{ status: number; allow: string | undefined }>((resolve, reject) => {
      const request = httpRequest(`${api.url}/health`, { method: 'TRACE' }, (response) => {
        response.resume();
        resolve({ status: response.statusCode ?? 0, allow: response.headers.allow });
      });
      request.on('error', reject).end();
    });
    expect(trace).toEqual({ status: 405, allow: 'GET, HEAD' });
    const unknown = await http('GET', '/v1/nothing-here', { key: api.keys.coordinator });
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ error: 'not-found' });
  });

  it('quotes a key that cannot be stored with its control characters escaped, never raw', async () => {
    const answer = await http('POST', `/v1/enrollments/${enrollmentId}/readings`, {
      key: api.keys.butler,
      rawBody: '{"at":"2026-12-01T08:00:00Z","values":{"a\\u0000\\u001fb":1}}',
    });
    expect(answer.status, answer.text).toBe(400);
    expect(answer.body.error).toBe('invalid-text');
    expect(answer.body.message).toContain('body.values.a\\u0000\\u001fb holds a NUL character');
    expect(answer.text).not.toMatch(/(?<!\\)\\u0000/);
  });

  it('states in /openapi.json the rules enforced beside the schemas: no NUL in text or keys, dates within 1900–2999', async () => {
    const doc = (await http('GET', '/openapi.json')).body;
    const enrol = doc.paths['/v1/enrollments'].post.requestBody.content['application/json'].schema;
    expect(new RegExp(enrol.properties.program.pattern).test('obstetrics\u0000')).toBe(false);
    const consent = enrol.properties.consent.properties.givenAt;
    expect(consent).toMatchObject({ format: 'date-time' });
    const dateTime = new RegExp(consent.pattern);
    expect(['2026-12-06T08:00:00Z', '1900-01-01T00:00:00.5+15:59'].every((v) => dateTime.test(v))).toBe(true);
    expect(['0023-01-01T00:00:00Z', '3000-01-01T00:00:00Z', '2026-12-06T08:00:00+16:00'].some((v) => dateTime.test(v))).toBe(false);
    const readings = doc.paths['/v1/enrollments/{id}/readings'].post.requestBody.content['application/json'].schema;
    expect(new RegExp(readings.properties.values.propertyNames.pattern).test('a\u0000b')).toBe(false);
  });

  it('serves Prometheus metrics to ops', async () => {
    const metrics = await http('GET', '/metrics', { key: api.keys.ops });
    expect(metrics.status).toBe(200);
    expect(metrics.headers.get('content-type')).toContain('text/plain');
    expect(metrics.text).toContain('carepath_http_request_duration_seconds_bucket');
    expect(metrics.text).toMatch(/carepath_active_enrollments\{pathway="test.api-care"\} \d+/);
    expect(metrics.text).toMatch(/carepath_open_tasks\{role="butler"\} \d+/);
  });

  it('creates, lists and revokes API keys; a revoked key stops working', async () => {
    const created = await http('POST', '/v1/api-clients', { key: api.keys.admin, body: { name: '赵管家', role: 'butler', butlerId: 'b9' } });
    expect(created.status).toBe(201);
    expect(created.body.key).toMatch(/^cpk_[A-Za-z0-9_-]{43}$/);
    expect((await http('GET', '/v1/tasks', { key: created.body.key })).status).toBe(200);
    const list = await http('GET', '/v1/api-clients', { key: api.keys.admin });
    expect(list.body.items.find((c: { id: string }) => c.id === created.body.id)).toMatchObject({ role: 'butler', butlerId: 'b9', revokedAt: null });
    expect(JSON.stringify(list.body)).not.toContain(created.body.key);
    const listed = await api.database.db
      .selectFrom('audit_log')
      .select(['actor_role', 'details'])
      .where('action', '=', 'api-client.list')
      .orderBy('id', 'desc')
      .executeTakeFirst();
    expect(listed).toMatchObject({ actor_role: 'admin', details: { count: list.body.items.length } });
    expect((await http('DELETE', `/v1/api-clients/${created.body.id}`, { key: api.keys.admin })).status).toBe(204);
    expect((await http('GET', '/v1/tasks', { key: created.body.key })).status).toBe(401);
    const butlerWithoutId = await http('POST', '/v1/api-clients', { key: api.keys.admin, body: { name: 'x', role: 'butler' } });
    expect(butlerWithoutId.status).toBe(422);
  });

  async function counts() {
    const tables = ['patients', 'consents', 'enrollments', 'readings', 'questionnaire_responses', 'inquiries', 'api_clients', 'idempotency_keys'] as const;
    const result: Record<string, number> = {};
    for (const table of tables)
      result[table] = Number(
        (
          await api.database.db
            .selectFrom(table)
            .select((eb) => eb.fn.countAll<string>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    return result;
  }
});
