/**
 * Finding pathway files on disk: folders are searched recursively for `*.yaml`/`*.yml`, skipping
 * `content/` folders (templates and questionnaires are not pathways) and hidden folders.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

const SKIPPED_DIRS = new Set(['content', 'node_modules']);

/** Expands files and folders into a sorted list of pathway files; missing paths are returned in `missing`. */
export function listPathwayFiles(paths: string[]): { files: string[]; missing: string[] } {
  const files = new Set<string>();
  const missing: string[] = [];
  for (const p of paths) {
    if (!existsSync(p)) missing.push(p);
    else if (statSync(p).isDirectory()) walk(p, files);
    else files.add(p);
  }
  return { files: [...files].sort(), missing };
}

function walk(dir: string, out: Set<string>): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name.startsWith('.')) continue;
    const full = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!SKIPPED_DIRS.has(entry.name)) walk(full, out);
    } else if (/\.ya?ml$/.test(entry.name)) out.add(full);
  }
}

/** Files under `root` whose top-level `pathway:` is `id`, highest version first. */
export function findPathwayById(id: string, root = 'pathways'): string[] {
  if (!existsSync(root)) return [];
  const matches: { file: string; version: string }[] = [];
  for (const file of listPathwayFiles([root]).files) {
    let doc: unknown;
    try {
      doc = parse(readFileSync(file, 'utf8'));
    } catch {
      continue;
    }
    if (doc && typeof doc === 'object' && (doc as Record<string, unknown>)['pathway'] === id) {
      matches.push({ file, version: String((doc as Record<string, unknown>)['version'] ?? '0') });
    }
  }
  return matches.sort((a, b) => compareVersions(b.version, a.version)).map((m) => m.file);
}

function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d) return d;
  }
  return 0;
}
