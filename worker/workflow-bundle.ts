/**
 * The workflow bundle, with the converters of the production data converter, built once and
 * reused by every worker that starts (`carepath provision`,
 * `npm test` and the first `npm start` build it; later starts load it). It lives in
 * node_modules/.cache/carepath/workflow-bundle/ — rebuilt after `npm ci` — with a manifest of
 * every source file webpack put in it and that file's sha256: a bundle whose sources changed
 * since is stale and built again, so a worker never runs old workflow code.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode, DefaultLogger, type WorkflowBundlePath } from '@temporalio/worker';
import type { Progress } from '../infra/progress.ts';
import { ENCRYPTING_FAILURE_CONVERTER_PATH, PAYLOAD_CONVERTER_PATH } from '../temporal/codec/data-converter.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const WORKFLOWS_ENTRY = path.join(ROOT, 'workflows', 'index.ts');
const MANIFEST_VERSION = 2;

interface Manifest {
  version: number;
  entry: string;
  /** Source file (relative to the repository) → sha256 of its content when bundled. */
  sources: Record<string, string>;
}

function bundleDir(entry: string): string {
  const name = createHash('sha256').update(path.relative(ROOT, entry)).digest('hex').slice(0, 12);
  return path.join(ROOT, 'node_modules', '.cache', 'carepath', 'workflow-bundle', name);
}

const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

/** Whether the bundle in `dir` was built from the files as they are now. */
function isCurrent(dir: string, entry: string): boolean {
  const manifestFile = path.join(dir, 'manifest.json');
  if (!existsSync(manifestFile) || !existsSync(path.join(dir, 'bundle.js'))) return false;
  try {
    const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as Manifest;
    if (manifest.version !== MANIFEST_VERSION || manifest.entry !== path.relative(ROOT, entry)) return false;
    return Object.entries(manifest.sources).every(([file, hash]) => {
      const absolute = path.join(ROOT, file);
      return existsSync(absolute) && sha256(absolute) === hash;
    });
  } catch {
    return false;
  }
}

/**
 * The prebuilt bundle of `entry` (the production workflows by default), built now if missing or
 * stale. Returns the paths `Worker.create({ workflowBundle })` takes.
 */
export async function ensureWorkflowBundle(progress: Progress, entry: string = WORKFLOWS_ENTRY): Promise<WorkflowBundlePath & { built: boolean }> {
  const dir = bundleDir(entry);
  const codePath = path.join(dir, 'bundle.js');
  if (isCurrent(dir, entry)) return { codePath, built: false };

  const started = Date.now();
  progress('building the workflow bundle (once after a change to workflow code)…');
  // The converters of the production data converter run inside the sandbox too (they mark the
  // payloads that carry a pathway, and move failure messages into encrypted attributes).
  const { code } = await bundleWorkflowCode({
    workflowsPath: entry,
    payloadConverterPath: PAYLOAD_CONVERTER_PATH,
    failureConverterPath: ENCRYPTING_FAILURE_CONVERTER_PATH,
    logger: new DefaultLogger('WARN'),
  });
  const sources: Record<string, string> = {};
  for (const source of inlineSourceMap(code).sources) {
    // webpack names sources webpack://<name>/./<path>; only the project's own files can change under us.
    const relative = source.replace(/^webpack:\/\/[^/]*\//, '');
    const absolute = path.resolve(ROOT, relative);
    if (!absolute.startsWith(ROOT) || absolute.includes(`${path.sep}node_modules${path.sep}`) || !existsSync(absolute)) continue;
    sources[path.relative(ROOT, absolute)] = sha256(absolute);
  }
  // package-lock.json stands for the SDK and library versions inside the bundle, tsconfig.json
  // for how the sources were compiled.
  for (const file of ['package-lock.json', 'tsconfig.json']) sources[file] = sha256(path.join(ROOT, file));
  // A file saved while webpack read the sources may be in the bundle in its older form: then the
  // bundle is used now but not kept as current.
  const changedMeanwhile = Object.keys(sources).some((file) => statSync(path.join(ROOT, file)).mtimeMs >= started);
  mkdirSync(dir, { recursive: true });
  const manifest: Manifest = { version: MANIFEST_VERSION, entry: path.relative(ROOT, entry), sources };
  // Written beside, then renamed: a worker starting meanwhile sees the old bundle or the new one.
  const files: [string, string][] = [[codePath, code]];
  if (!changedMeanwhile) files.push([path.join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2)]);
  else rmSync(path.join(dir, 'manifest.json'), { force: true });
  for (const [file, content] of files) {
    writeFileSync(`${file}.${process.pid}.tmp`, content);
    renameSync(`${file}.${process.pid}.tmp`, file);
  }
  progress(
    `workflow bundle built in ${((Date.now() - started) / 1000).toFixed(1)} s (${(code.length / 1_048_576).toFixed(1)} MiB, ${Object.keys(sources).length - 2} project files)`,
  );
  return { codePath, built: true };
}

/** The source map webpack inlines at the end of the bundle (the SDK reads it from there too). */
function inlineSourceMap(code: string): { sources: string[] } {
  const match = /\/\/# sourceMappingURL=data:application\/json;(?:charset=utf-8;)?base64,([A-Za-z0-9+/=]+)\s*$/.exec(code);
  if (!match) throw new Error('the workflow bundle has no inline source map');
  return JSON.parse(Buffer.from(match[1]!, 'base64').toString('utf8')) as { sources: string[] };
}
