/** A pathway changed under a version that has run is refused alone; the others stay offered. */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateToLatest } from '../../db/migrate.ts';
import { compileFile } from '../../pathway/compiler/compile.ts';
import { PathwayRegistry } from '../../pathway/registry.ts';
import { recordPathwayVersions } from '../../platform/pathway-versions.ts';
import { databaseVersions } from '../../cli/recorded-versions.ts';
import { createThrowawayDatabase, type ThrowawayDatabase } from '../support/database.ts';

const F = 'tests/pathway/fixtures/valid';

function registry(pregnancyText?: string): PathwayRegistry {
  const r = new PathwayRegistry();
  for (const name of ['pregnancy', 'post-checkup']) {
    const file = `${F}/${name}.yaml`;
    r.add(compileFile(file, name === 'pregnancy' && pregnancyText ? { text: pregnancyText } : {}).compiled!, file);
  }
  return r;
}

describe('recording pathway versions at start (real PostgreSQL)', () => {
  let database: ThrowawayDatabase;
  beforeAll(async () => {
    database = await createThrowawayDatabase();
    await migrateToLatest(database.db);
  });
  afterAll(async () => {
    await database?.drop();
  });

  it('refuses only the pathway whose file changed under a recorded version, and says how to fix it', async () => {
    expect(await recordPathwayVersions(database.db, registry())).toEqual([]);

    const changed = readFileSync(`${F}/pregnancy.yaml`, 'utf8').replace('title: 全孕期管理（示例）', 'title: 全孕期管理（示例，修订）');
    const second = registry(changed);
    const refused = await recordPathwayVersions(database.db, second);
    expect(refused.map((r) => r.id)).toEqual(['obstetrics.pregnancy-demo']);
    expect(refused[0]!.reason).toMatch(
      /pregnancy\.yaml: pathway obstetrics\.pregnancy-demo version 1\.0\.0 changed since it was first run .*new version \(e\.g\. version: "1\.0\.1"\)/,
    );
    expect(second.list().map((p) => p.id)).toEqual(['post-checkup.basic-demo']);
    expect(second.get('obstetrics.pregnancy-demo')).toBeUndefined();
    expect(second.refusal('obstetrics.pregnancy-demo')).toBe(refused[0]!.reason);

    // The recorded content is kept: the first version is what its journeys run.
    const stored = await databaseVersions(database.url, [{ id: 'obstetrics.pregnancy-demo', version: '1.0.0' }]);
    expect(stored?.get('obstetrics.pregnancy-demo@1.0.0')?.hash).toBe(registry().get('obstetrics.pregnancy-demo')!.hash);
  });
});
