/**
 * The embedded Temporal Web UI decodes through the codec on its own origin: `<ui>/codec` reaches
 * the API, so the browser sends the operator's session cookie by default and the UI needs no
 * "Include cross-origin credentials" setting (real dev server with its Web UI, real PostgreSQL).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../config/load-config.ts';
import { createApiClient } from '../../api/auth/api-keys.ts';
import { freePort } from '../../infra/ports.ts';
import { silentProgress } from '../../infra/progress.ts';
import { startPlatform, type RunningPlatform } from '../../platform/start-platform.ts';
import { call, FIXTURES_DIR } from '../api/support/api-platform.ts';
import { createThrowawayDatabase, type ThrowawayDatabase } from '../support/database.ts';
import { testLogger } from '../support/logger.ts';

describe('the embedded Web UI and the codec on one origin', () => {
  let database: ThrowawayDatabase;
  let platform: RunningPlatform;
  let ui: string;

  beforeAll(async () => {
    database = await createThrowawayDatabase();
    const dataDir = mkdtempSync(path.join(tmpdir(), 'carepath-ui-'));
    const config = loadConfig({ env: { DATABASE_URL: database.url, PORT: '0', CAREPATH_PATHWAYS_DIR: FIXTURES_DIR, CAREPATH_DATA_DIR: dataDir } });
    Object.assign(config.temporal.devServer, { port: await freePort(), uiPort: await freePort(), dbFile: path.join(dataDir, 'dev.db') });
    platform = await startPlatform(config, testLogger, silentProgress);
    ui = platform.temporalUiUrl!;
  }, 120_000);
  afterAll(async () => {
    await platform?.stop();
    await database?.drop();
  });

  it('points the UI at the codec on its own origin and serves the UI itself there', async () => {
    const settings = await call(ui, 'GET', '/api/v1/settings');
    expect(settings.status).toBe(200);
    expect(settings.body.Codec).toMatchObject({ Endpoint: `${ui}/codec`, IncludeCredentials: false });
    const page = await call(ui, 'GET', '/');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
  });

  it('opens a session at <ui>/codec and decodes with its cookie alone, as a same-origin fetch from the UI sends it', async () => {
    const { key } = await createApiClient(database.db, { name: '运营', role: 'ops', createdBy: 'test' });
    const page = await call(ui, 'GET', '/codec/login');
    expect(page.status).toBe(200);
    expect(page.text).toContain("on the Web UI's own address");
    const opened = await call(ui, 'POST', '/codec/session', { key });
    expect(opened.status).toBe(200);
    const cookie = opened.headers.get('set-cookie')!.split(';')[0]!;
    const payload = {
      metadata: { encoding: Buffer.from('json/plain').toString('base64') },
      data: Buffer.from(`"${randomBytes(4).toString('hex')}"`).toString('base64'),
    };
    // What the UI's fetch sends to a same-origin endpoint: its Origin, the cookie, no Authorization.
    const headers = { origin: ui, 'x-namespace': 'default', cookie };
    const encoded = await call(ui, 'POST', '/codec/encode', { headers, body: { payloads: [payload] } });
    expect(encoded.status).toBe(200);
    expect(encoded.body.payloads[0].data).not.toBe(payload.data);
    const decoded = await call(ui, 'POST', '/codec/decode', { headers, body: encoded.body });
    expect(decoded.status).toBe(200);
    expect(decoded.body.payloads[0]).toEqual(payload);
    expect((await call(ui, 'POST', '/codec/decode', { headers: { origin: ui, 'x-namespace': 'default' }, body: encoded.body })).status).toBe(401);
  });
});
