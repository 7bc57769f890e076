/**
 * `carepath validate [files or folders…] [--json]`: compiles every pathway file and reports all
 * problems as `file:line:col: error: message [rule-id]`, including a file changed under a version
 * already committed or recorded in the database (DATABASE_URL). Exit 0 when all are valid, 1 otherwise.
 */
import { readFileSync } from 'node:fs';
import { isAbsolute, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { CarepathError } from '../../errors/carepath-error.ts';
import { compileFile } from '../../pathway/compiler/compile.ts';
import { renderDiagnostic, sortDiagnostics, type Diagnostic } from '../../pathway/compiler/diagnostics.ts';
import { listPathwayFiles } from '../../pathway/files.ts';
import { versionReusedMessage } from '../../platform/pathway-versions.ts';
import { committedVersion, databaseVersions } from '../recorded-versions.ts';

interface FileReport {
  file: string;
  ok: boolean;
  id?: string;
  version?: string;
  hash?: string;
  errors: Diagnostic[];
}

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { json: { type: 'boolean', default: false }, content: { type: 'string' } },
    allowPositionals: true,
  });
  const targets = positionals.length ? positionals : ['pathways'];
  const { files, missing } = listPathwayFiles(targets);
  if (!positionals.length && missing.length) throw new CarepathError('no-pathways', 'no pathways/ folder here; name the files or folders to check');
  if (missing.length) throw new CarepathError('path-not-found', `no such file or folder: ${missing.join(', ')}`);
  if (files.length === 0) throw new CarepathError('no-pathways', `no pathway files (*.yaml) found in ${targets.join(', ')}`);

  const reports: FileReport[] = files.map((file) => {
    const result = compileFile(file, values.content !== undefined ? { contentDir: values.content } : {});
    const errors = result.diagnostics.map((d) => ({ ...d, file: display(d.file) }));
    const report: FileReport = { file: display(file), ok: !!result.compiled, errors };
    if (result.compiled) Object.assign(report, { id: result.compiled.id, version: result.compiled.version, hash: result.compiled.hash });
    return report;
  });
  markDuplicatePathways(reports);
  await markReusedVersions(reports, files);
  const all = sortDiagnostics(reports.flatMap((r) => r.errors));
  const ok = all.length === 0;

  if (values.json) {
    console.log(JSON.stringify({ ok, files: reports }, null, 2));
  } else {
    for (const d of all) console.log(renderDiagnostic(d));
    for (const r of reports.filter((x) => x.ok)) console.log(`ok ${r.file} (${r.id} v${r.version}, sha256 ${r.hash!.slice(0, 12)})`);
    const failed = reports.filter((r) => !r.ok).length;
    console.error(
      `${files.length} pathway file${files.length === 1 ? '' : 's'} checked: ${failed ? `${failed} invalid, ${all.length} error${all.length === 1 ? '' : 's'}` : 'all valid'}`,
    );
  }
  return ok ? 0 : 1;
}

/** Two files may not publish the same pathway id and version. */
function markDuplicatePathways(reports: FileReport[]): void {
  const seen = new Map<string, string>();
  for (const r of reports) {
    if (!r.ok) continue;
    const key = `${r.id}@${r.version}`;
    const first = seen.get(key);
    if (first) {
      r.ok = false;
      r.errors.push({
        file: r.file,
        line: pathwayLine(r.file),
        col: 10,
        rule: 'duplicate-pathway',
        message: `pathway '${r.id}' version ${r.version} is also defined in ${first}`,
      });
    } else seen.set(key, r.file);
  }
}

/** A file whose content changed while its version stayed one that was committed or has run. */
async function markReusedVersions(reports: FileReport[], files: string[]): Promise<void> {
  const ok = reports.filter((r) => r.ok);
  const recorded = await databaseVersions(
    process.env.DATABASE_URL,
    ok.map((r) => ({ id: r.id!, version: r.version! })),
  );
  for (const r of ok) {
    const file = files[reports.indexOf(r)]!;
    const inDb = recorded?.get(`${r.id}@${r.version}`);
    const earlier = inDb && inDb.hash !== r.hash ? inDb : committedVersion(file, r.id!, r.version!);
    if (!earlier || earlier.hash === r.hash) continue;
    r.ok = false;
    const message = versionReusedMessage(r.file, r.id!, r.version!, earlier.hash, earlier.where).slice(r.file.length + 2);
    r.errors.push({ file: r.file, line: versionLine(file), col: 10, rule: 'version-reused', message });
  }
}

function versionLine(file: string): number {
  const text = readFileSync(file, 'utf8');
  const index = text.search(/^version:/m);
  return index < 0 ? 1 : text.slice(0, index).split('\n').length;
}

/** Line of the top-level `pathway:` field (the id), for duplicate reports. */
function pathwayLine(file: string): number {
  const text = readFileSync(file, 'utf8');
  const index = text.search(/^pathway:/m);
  return index < 0 ? 1 : text.slice(0, index).split('\n').length;
}

function display(file: string): string {
  return isAbsolute(file) ? relative(process.cwd(), file) || file : file;
}
