import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, startApiPlatform, type ApiPlatform } from '../api/support/api-platform.ts';

/** The Web UI over plain http sends the codec endpoint cookies, not an Authorization header. */
describe('operator sessions for the Temporal Web UI codec', () => {
  let api: ApiPlatform;
  const payload = {
    metadata: { encoding: Buffer.from('json/plain').toString('base64') },
    data: Buffer.from(JSON.stringify({ hello: randomBytes(4).toString('hex') })).toString('base64'),
  };
  const headers = (cookie?: string) => ({ 'x-namespace': 'default', ...(cookie ? { cookie } : {}) });

  beforeAll(async () => {
    api = await startApiPlatform();
  });
  afterAll(async () => {
    await api?.stop();
  });

  it('serves a sign-in page', async () => {
    const page = await call(api.url, 'GET', '/codec/login');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(page.text).toContain('Include cross-origin credentials');
  });

  it('opens a session only for ops and admin keys, and the codec accepts its cookie until it is closed', async () => {
    expect((await call(api.url, 'POST', '/codec/session')).status).toBe(401);
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

    expect((await call(api.url, 'POST', '/codec/decode', { headers: headers('carepath_codec_session=forged'), body: encoded.body })).status).toBe(401);
    expect((await call(api.url, 'DELETE', '/codec/session', { headers: { cookie } })).status).toBe(204);
    expect((await call(api.url, 'POST', '/codec/decode', { headers: headers(cookie), body: encoded.body })).status).toBe(401);
  });
});
