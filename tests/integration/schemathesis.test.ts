/**
 * Schemathesis against the running platform's /openapi.json, with a butler key and an admin key:
 * every check (`--checks all`: 5xx, status codes, response schemas and content types, schema-valid
 * data refused, invalid data accepted, methods not declared, missing auth…), a fixed seed and a
 * bounded number of examples per operation. The full output of each run is kept in
 * .schemathesis/<role>.log.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureSchemathesis } from '../../infra/schemathesis.ts';
import { runCommand } from '../../infra/run-command.ts';
import { startApiPlatform, type ApiPlatform } from '../api/support/api-platform.ts';

const CONFIG = fileURLToPath(new URL('./schemathesis.toml', import.meta.url));

describe('Schemathesis on /openapi.json', () => {
  let api: ApiPlatform;
  let st: string;

  beforeAll(async () => {
    st = await ensureSchemathesis((line) => console.log(line));
    // Thousands of requests in a minute from one address: the limit is not what is tested here.
    api = await startApiPlatform({ CAREPATH_RATE_LIMIT_PER_MINUTE: '1000000' });
  }, 600_000);
  afterAll(() => api?.stop());

  // The butler first: the admin's run revokes every key it finds in GET /v1/api-clients (Schemathesis reuses ids from responses).
  it.each(['butler', 'admin'] as const)(
    'finds no 5xx and no response off its schema with the %s key',
    async (role) => {
      const lines: string[] = [];
      const { code, tail } = await runCommand(
        st,
        [
          ...['--config-file', CONFIG, 'run'],
          `${api.url}/openapi.json`,
          ...['--checks', 'all', '--seed', '20261206', '--max-examples', '10', '--workers', '1'],
          ...['--phases', 'examples,coverage,fuzzing', '--header', `Authorization: Bearer ${api.keys[role]}`, '--no-color'],
        ],
        { progress: (line) => lines.push(line) },
      );
      const generated = lines.find((l) => /\d+ generated/.test(l))?.trim() ?? '(no summary)';
      console.log(`schemathesis (${role}): ${generated}`);
      const log = path.resolve('.schemathesis', `${role}.log`);
      mkdirSync(path.dirname(log), { recursive: true });
      writeFileSync(log, lines.join('\n'));
      expect(code, `${tail.join('\n')}\n(the whole run: ${log})`).toBe(0);
      expect(Number(/(\d+) generated/.exec(generated)?.[1] ?? 0)).toBeGreaterThan(300);
    },
    600_000,
  );
});
