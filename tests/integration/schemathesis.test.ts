/**
 * Schemathesis against the running platform's /openapi.json, with an admin key and a butler key:
 * a fixed seed and a bounded number of examples per operation; the run fails on any 5xx, any
 * response that does not match its declared schema or content type.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureSchemathesis } from '../../infra/schemathesis.ts';
import { runCommand } from '../../infra/run-command.ts';
import { startApiPlatform, type ApiPlatform } from '../api/support/api-platform.ts';

const CHECKS = 'not_a_server_error,response_schema_conformance,content_type_conformance';

describe('Schemathesis on /openapi.json', () => {
  let api: ApiPlatform;
  let st: string;

  beforeAll(async () => {
    st = await ensureSchemathesis((line) => console.log(line));
    // Thousands of requests in a minute from one address: the limit is not what is tested here.
    api = await startApiPlatform({ CAREPATH_RATE_LIMIT_PER_MINUTE: '1000000' });
  }, 600_000);
  afterAll(() => api?.stop());

  it.each(['admin', 'butler'] as const)(
    'finds no 5xx and no response off its schema with the %s key',
    async (role) => {
      const lines: string[] = [];
      const { code, tail } = await runCommand(
        st,
        [
          'run',
          `${api.url}/openapi.json`,
          ...['--checks', CHECKS, '--seed', '20261206', '--max-examples', '10', '--workers', '1'],
          ...['--phases', 'examples,coverage,fuzzing', '--header', `Authorization: Bearer ${api.keys[role]}`, '--no-color'],
        ],
        { progress: (line) => lines.push(line) },
      );
      const generated = lines.find((l) => /\d+ generated/.test(l))?.trim() ?? '(no summary)';
      console.log(`schemathesis (${role}): ${generated}`);
      expect(code, tail.join('\n')).toBe(0);
      expect(Number(/(\d+) generated/.exec(generated)?.[1] ?? 0)).toBeGreaterThan(300);
    },
    600_000,
  );
});
