import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { CarepathError } from '../../errors/carepath-error.ts';

const USAGE = 'usage: carepath pathways publish <file.yaml> [--url http://127.0.0.1:3000] (the key in CAREPATH_API_KEY, a coordinator or admin key)';

/**
 * `carepath pathways publish <file>`: sends a pathway file to a running platform
 * (POST /v1/pathways), which validates it, records the version and offers it to the next
 * enrolment without a restart. Errors come back with the file's line and column.
 */
export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, options: { url: { type: 'string' } }, allowPositionals: true });
  const [verb, file, ...extra] = positionals;
  if (verb !== 'publish' || !file || extra.length) throw new CarepathError('usage', USAGE);
  const key = process.env.CAREPATH_API_KEY;
  if (!key) throw new CarepathError('usage', `set CAREPATH_API_KEY to a coordinator's or admin's API key\n${USAGE}`);
  const base = (values.url ?? process.env.CAREPATH_API_URL ?? 'http://127.0.0.1:3000').replace(/\/$/, '');
  const source = readFileSync(file, 'utf8');
  const shown = path.relative(process.cwd(), file) || file;
  let answer: Response;
  try {
    answer = await fetch(`${base}/v1/pathways`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ source, file: shown.replace(/[^A-Za-z0-9._/-]/g, '_') }),
    });
  } catch (err) {
    throw new CarepathError('unavailable', `cannot reach the platform at ${base} (${(err as Error).message}); start it, or give --url`);
  }
  const body = (await answer.json().catch(() => ({}))) as {
    id?: string;
    version?: string;
    published?: boolean;
    previous?: string | null;
    message?: string;
    details?: { diagnostics?: { line: number; col: number; rule: string; message: string }[] };
  };
  if (answer.ok) {
    console.log(
      body.published
        ? `published ${body.id} v${body.version}${body.previous ? ` (was v${body.previous})` : ' (a new program)'}: the next enrolment uses it`
        : `${body.id} v${body.version} is already what the platform offers: nothing to publish`,
    );
    return 0;
  }
  for (const d of body.details?.diagnostics ?? []) console.error(`${shown}:${d.line}:${d.col}: error: ${d.message} [${d.rule}]`);
  if (!body.details?.diagnostics?.length) console.error(`carepath: ${answer.status} ${body.message ?? answer.statusText}`);
  return 1;
}
