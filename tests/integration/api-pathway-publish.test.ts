// Publishing a pathway version to the running platform (POST /v1/pathways, `carepath pathways
// publish`): validated with located errors, refused when it changes a recorded version, offered
// to the next enrolment at once, kept across a restart unless a later file replaces it, and
// picked up by another API process within a poll. Real Temporal, real PostgreSQL.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordPathwayVersion } from '../../db/repositories/pathway-versions.ts';
import { loadPathwayRegistry, PathwayRegistry } from '../../pathway/registry.ts';
import { applyPublications, watchPublications } from '../../platform/pathway-publications.ts';
import { recordPathwayVersions } from '../../platform/pathway-versions.ts';
import { eventually } from '../support/journey-harness.ts';
import { call, enrollmentRequest, FIXTURES_DIR, shanghaiDate, startApiPlatform, type ApiPlatform } from '../api/support/api-platform.ts';

const ORIGINAL = readFileSync(path.join(FIXTURES_DIR, 'care-demo.yaml'), 'utf8');
const versioned = (version: number, title = `接口测试路径 v${version}`) =>
  ORIGINAL.replace(/^version: \d+$/m, `version: ${version}`).replace(/^title: .*$/m, `title: ${title}`);

describe('publishing a pathway to the running platform', () => {
  let api: ApiPlatform;
  const publish = (source: string, key = api.keys.coordinator) => call(api.url, 'POST', '/v1/pathways', { key, body: { source, file: 'care-demo.yaml' } });

  beforeAll(async () => {
    api = await startApiPlatform();
  });
  afterAll(async () => {
    await api?.stop();
  });

  it('validates, records and offers a new version to the next enrolment, audited; only coordinators and admins publish', async () => {
    expect((await publish(versioned(40), api.keys.butler)).status).toBe(403);
    expect((await call(api.url, 'POST', '/v1/pathways', { body: { source: versioned(40) } })).status).toBe(401);
    const huge = await publish(`${versioned(40)}\n# ${'x'.repeat(1_100_000)}`);
    expect(huge.status).toBe(413);

    const broken = await publish(versioned(40).replace('sla: 1h', 'sla: soon'));
    expect(broken.status).toBe(422);
    const line =
      versioned(40)
        .split('\n')
        .findIndex((l) => l.includes('sla: 1h')) + 1;
    expect(broken.body.details.diagnostics[0]).toMatchObject({ line, rule: expect.any(String) });
    expect(broken.body.message).toMatch(new RegExp(`^care-demo\\.yaml has 1 error\\(s\\); the first: ${line}:\\d+ `));

    const reused = await publish(ORIGINAL.replace(/^title: .*$/m, 'title: 改了内容没改版本'));
    expect(reused.status).toBe(409);
    expect(reused.body.message).toContain('give the changed file a new version');

    const published = await publish(versioned(40));
    expect(published.status, published.text).toBe(201);
    expect(published.body).toMatchObject({ id: 'test.api-care', version: '40', published: true, previous: '3' });
    expect((await publish(versioned(40))).body).toMatchObject({ version: '40', published: false });

    const offered = await call(api.url, 'GET', '/v1/pathways', { key: api.keys.coordinator });
    expect(offered.body.items.find((p: any) => p.id === 'test.api-care')).toMatchObject({ version: '40', title: '接口测试路径 v40' });
    const enrolled = await call(api.url, 'POST', '/v1/enrollments', {
      key: api.keys.coordinator,
      body: enrollmentRequest({ anchors: { lmp: shanghaiDate(-60) } }),
    });
    expect(enrolled.status, enrolled.text).toBe(201);
    expect(enrolled.body.pathwayVersion).toBe('40');
    const audited = await api.database.db.selectFrom('audit_log').select(['actor_role', 'details']).where('action', '=', 'pathway.publish').execute();
    expect(audited).toEqual([{ actor_role: 'coordinator', details: expect.objectContaining({ version: '40', previous: '3' }) }]);
  });

  it('keeps offering a publication after a restart, until a file deployed later replaces it', async () => {
    const restarted = loadPathwayRegistry(FIXTURES_DIR);
    await recordPathwayVersions(api.database.db, restarted);
    expect((await applyPublications(api.database.db, restarted)).offered).toContain('test.api-care@40');
    expect(restarted.get('test.api-care')?.version).toBe('40');

    // A deploy after the publication: the file's version is first recorded later, and wins.
    const deployed = new PathwayRegistry();
    const file = { ...restarted.get('test.api-care')!, version: '41', hash: 'sha256:a-file-deployed-after-the-publication' };
    deployed.add(file, 'care-demo.yaml');
    await recordPathwayVersion(api.database.db, file);
    const started = await applyPublications(api.database.db, deployed);
    expect(started.offered).not.toContain('test.api-care@40');
    expect(deployed.get('test.api-care')?.version).toBe('41');
    // Nor does the watch bring the older publication back a poll later.
    const watch = watchPublications(api.database.db, deployed, { since: started.since, intervalMs: 50, onError: (err) => console.error(err) });
    await new Promise((r) => setTimeout(r, 400));
    watch.stop();
    expect(deployed.get('test.api-care')?.version).toBe('41');
  });

  it('reaches another API process within a poll, and publishes from the command line', async () => {
    const other = loadPathwayRegistry(FIXTURES_DIR);
    const { since } = await applyPublications(api.database.db, other);
    const watch = watchPublications(api.database.db, other, { since, intervalMs: 200, onError: (err) => console.error(err) });
    try {
      const dir = mkdtempSync(path.join(tmpdir(), 'carepath-publish-'));
      const file = path.join(dir, 'care-demo.yaml');
      writeFileSync(file, versioned(42));
      // Not spawnSync: the platform answering it runs in this process.
      const cli = (target: string) =>
        new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
          const child = spawn(process.execPath, ['bin/carepath.js', 'pathways', 'publish', target, '--url', api.url], {
            env: { ...process.env, CAREPATH_API_KEY: api.keys.coordinator },
          });
          let stdout = '';
          let stderr = '';
          child.stdout.on('data', (d) => (stdout += String(d)));
          child.stderr.on('data', (d) => (stderr += String(d)));
          child.on('close', (status) => resolve({ status, stdout, stderr }));
        });
      const ok = await cli(file);
      expect(ok.status, ok.stderr).toBe(0);
      expect(ok.stdout).toMatch(/^published test\.api-care v42 \(was v40\): the next enrolment uses it/);
      await eventually(async () => expect(other.get('test.api-care')?.version).toBe('42'));

      writeFileSync(file, versioned(43).replace('sla: 1h', 'sla: soon'));
      const bad = await cli(file);
      expect(bad.status).toBe(1);
      expect(bad.stderr).toMatch(/care-demo\.yaml:\d+:\d+: error: .+ \[[a-z-]+\]/);
    } finally {
      watch.stop();
    }
  });
});
