import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadConfig } from '../../config/load-config.ts';
import { hashApiKey } from '../../api/auth/api-keys.ts';
import { findActiveApiClientByKeyHash, revokeApiClient } from '../../db/repositories/api-clients.ts';
import { silentProgress } from '../../infra/progress.ts';
import { startPlatform, type RunningPlatform } from '../../platform/start-platform.ts';
import { call, FIXTURES_DIR, startApiPlatform, type ApiPlatform } from '../api/support/api-platform.ts';
import { testLogger } from '../support/logger.ts';

const CODEC_KEYS = `k1:${randomBytes(32).toString('base64')}`;

/** The Web UI over plain http sends the codec endpoint cookies, not an Authorization header. */
describe('operator sessions for the Temporal Web UI codec', () => {
  let api: ApiPlatform;
  const payload = {
    metadata: { encoding: Buffer.from('json/plain').toString('base64') },
    data: Buffer.from(JSON.stringify({ hello: randomBytes(4).toString('hex') })).toString('base64'),
  };
  const headers = (cookie?: string) => ({ 'x-namespace': 'default', ...(cookie ? { cookie } : {}) });

  beforeAll(async () => {
    api = await startApiPlatform({ CAREPATH_CODEC_KEYS: CODEC_KEYS });
  });
  afterAll(async () => {
    await api?.stop();
  });

  it('serves a sign-in page', async () => {
    const page = await call(api.url, 'GET', '/codec/login');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(page.text).toContain('/codec/login');
  });

  it('opens a session only for ops and admin keys, and the codec accepts its cookie until it is closed', async () => {
    const before = new Date();
    const anonymous = await call(api.url, 'POST', '/codec/session');
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toBe('Bearer');
    expect((await call(api.url, 'POST', '/codec/session', { key: api.keys.butler })).status).toBe(403);

    const opened = await call(api.url, 'POST', '/codec/session', { key: api.keys.ops });
    expect(opened.status).toBe(200);
    const setCookie = opened.headers.get('set-cookie')!;
    expect(setCookie).toMatch(/^carepath_codec_session=[\w-]{43}; Path=\/codec; HttpOnly; SameSite=Strict; Max-Age=28800$/);
    const cookie = setCookie.split(';')[0]!;

    const encoded = await call(api.url, 'POST', '/codec/encode', { headers: headers(cookie), body: { payloads: [payload] } });
    expect(encoded.status).toBe(200);
    expect(Buffer.from(encoded.body.payloads[0].metadata.encoding, 'base64').toString()).toBe('binary/encrypted');
    const decoded = await call(api.url, 'POST', '/codec/decode', { headers: headers(cookie), body: encoded.body });
    expect(decoded.status).toBe(200);
    expect(decoded.body.payloads[0]).toEqual(payload);
    // The staff console's cookie (Path=/; cookies ignore ports) comes along in the same browser:
    // it neither blocks the codec session nor opens the codec to the console's session alone.
    const staffSession = await call(api.url, 'POST', '/v1/session', { body: { apiKey: api.keys.butler } });
    const staffCookie = staffSession.headers.get('set-cookie')!.split(';')[0]!;
    const both = await call(api.url, 'POST', '/codec/decode', { headers: headers(`${staffCookie}; ${cookie}`), body: encoded.body });
    expect(both.status).toBe(200);
    expect((await call(api.url, 'POST', '/codec/decode', { headers: headers(staffCookie), body: encoded.body })).status).toBe(401);

    expect((await call(api.url, 'POST', '/codec/decode', { headers: headers('carepath_codec_session=forged'), body: encoded.body })).status).toBe(401);
    expect((await call(api.url, 'DELETE', '/codec/session', { headers: { cookie } })).status).toBe(204);
    expect((await call(api.url, 'POST', '/codec/decode', { headers: headers(cookie), body: encoded.body })).status).toBe(401);
    // Sign-in and sign-out are in the audit log, with the operator and nothing of the token.
    const audit = await api.database.db
      .selectFrom('audit_log')
      .select(['actor_role', 'action', 'source_ip', 'details'])
      .where('action', 'like', 'codec.session.%')
      .where('at', '>=', before)
      .orderBy('id')
      .execute();
    expect(audit.map((r) => [r.actor_role, r.action])).toEqual([
      ['ops', 'codec.session.open'],
      ['ops', 'codec.session.close'],
    ]);
    expect(audit[0]!.source_ip).toBeTruthy();
    expect(JSON.stringify(audit)).not.toContain(cookie.split('=')[1]!);
  });

  it('keeps a session valid on every API process (stored in PostgreSQL, as a hash), and ends it when the key is revoked', async () => {
    // A second API process on the same database, with the same payload keys (as a deployment has).
    const second: RunningPlatform = await startPlatform(
      loadConfig({
        env: {
          TEMPORAL_ADDRESS: inject('temporalAddress'),
          DATABASE_URL: api.database.url,
          PORT: '0',
          TEMPORAL_TASK_QUEUE: `api-${randomUUID()}`,
          CAREPATH_PATHWAYS_DIR: FIXTURES_DIR,
          CAREPATH_DATA_DIR: mkdtempSync(path.join(tmpdir(), 'carepath-api-')),
          CAREPATH_CODEC_KEYS: CODEC_KEYS,
        },
      }),
      testLogger,
      silentProgress,
      { role: 'api' },
    );
    try {
      const opened = await call(api.url, 'POST', '/codec/session', { key: api.keys.admin });
      const cookie = opened.headers.get('set-cookie')!.split(';')[0]!;
      const encoded = await call(api.url, 'POST', '/codec/encode', { headers: headers(cookie), body: { payloads: [payload] } });
      const onSecond = await call(second.apiUrl!, 'POST', '/codec/decode', { headers: headers(cookie), body: encoded.body });
      expect(onSecond.status).toBe(200);
      expect(onSecond.body.payloads[0]).toEqual(payload);

      const stored = await api.database.db.selectFrom('codec_sessions').select(['token_hash', 'client_id']).execute();
      expect(stored.every((row) => !cookie.includes(row.token_hash))).toBe(true);

      const admin = await findActiveApiClientByKeyHash(api.database.db, hashApiKey(api.keys.admin));
      expect(await revokeApiClient(api.database.db, admin!.id, new Date().toISOString())).toBe(true);
      expect((await call(second.apiUrl!, 'POST', '/codec/decode', { headers: headers(cookie), body: encoded.body })).status).toBe(401);
    } finally {
      await second.stop();
    }
  });
});
