/**
 * The pathways a running platform offers: every file under the pathways folder, compiled at
 * start. A file that does not compile stops the start with its diagnostics; running journeys are
 * unaffected either way, since each carries its compiled pathway in its own input.
 */
import path from 'node:path';
import { CarepathError } from '../errors/carepath-error.ts';
import { compileFile, DEFAULT_TIMEZONE } from './compiler/compile.ts';
import { resolveTimezone } from './compiler/timezone.ts';
import { listPathwayFiles } from './files.ts';
import type { CompiledPathway } from './model/compiled.ts';

export interface PathwaySummary {
  id: string;
  version: string;
  hash: string;
  title: string;
  program: string;
  file: string;
}

const defaultZone = resolveTimezone(DEFAULT_TIMEZONE);
const DEFAULT_ZONE = { name: DEFAULT_TIMEZONE, offsetMinutes: defaultZone.ok ? defaultZone.offsetMinutes : 0 };

export class PathwayRegistry {
  private readonly byId = new Map<string, { pathway: CompiledPathway; file: string }>();
  private readonly refusedById = new Map<string, string>();

  /** Adds a compiled pathway; two files with the same id are an error. */
  add(pathway: CompiledPathway, file: string): void {
    const existing = this.byId.get(pathway.id);
    if (existing) throw new CarepathError('duplicate-pathway', `pathway '${pathway.id}' is defined twice: ${existing.file} and ${file}`);
    this.byId.set(pathway.id, { pathway, file });
  }

  /**
   * Offers a version published to the running platform in place of the file's (or as a new
   * program); `origin` says where it came from in listings. A refusal of the file's is lifted.
   */
  publish(pathway: CompiledPathway, origin: string): void {
    this.byId.set(pathway.id, { pathway, file: origin });
    this.refusedById.delete(pathway.id);
  }

  /** The current compiled version of a pathway, or undefined. */
  get(id: string): CompiledPathway | undefined {
    return this.byId.get(id)?.pathway;
  }

  /**
   * Stops offering one pathway for new enrolments, with the reason staff are shown. Its running
   * journeys are unaffected: each carries its compiled pathway.
   */
  refuse(id: string, reason: string): void {
    if (this.byId.delete(id)) this.refusedById.set(id, reason);
  }

  /** Why a pathway found at start is not offered, or undefined. */
  refusal(id: string): string | undefined {
    return this.refusedById.get(id);
  }

  /** Every refused pathway with its reason, sorted by id. */
  refused(): { id: string; reason: string }[] {
    return [...this.refusedById].map(([id, reason]) => ({ id, reason })).sort((a, b) => a.id.localeCompare(b.id));
  }

  /**
   * The time zone staff read times in: the one most offered pathways use (the first by id on a
   * tie), or the compiler's default when none is offered.
   */
  timeZone(): { name: string; offsetMinutes: number } {
    const counts = new Map<string, { zone: CompiledPathway['timezone']; n: number }>();
    for (const { pathway } of [...this.byId.values()].sort((a, b) => a.pathway.id.localeCompare(b.pathway.id))) {
      const entry = counts.get(pathway.timezone.name) ?? { zone: pathway.timezone, n: 0 };
      counts.set(pathway.timezone.name, { ...entry, n: entry.n + 1 });
    }
    let best: { zone: CompiledPathway['timezone']; n: number } | undefined;
    for (const entry of counts.values()) if (!best || entry.n > best.n) best = entry;
    return best ? { name: best.zone.name, offsetMinutes: best.zone.offsetMinutes } : DEFAULT_ZONE;
  }

  /** Every offered pathway, sorted by id. */
  list(): PathwaySummary[] {
    return [...this.byId.values()]
      .map(({ pathway: p, file }) => ({ id: p.id, version: p.version, hash: p.hash, title: p.title, program: p.program, file }))
      .sort((a, b) => a.id.localeCompare(b.id));
  }
}

/** Compiles every pathway under `dir`; throws one CarepathError listing every diagnostic. */
export function loadPathwayRegistry(dir: string, cwd = process.cwd()): PathwayRegistry {
  const registry = new PathwayRegistry();
  const { files } = listPathwayFiles([dir]);
  const problems: string[] = [];
  for (const file of files) {
    const shown = path.relative(cwd, file) || file;
    const result = compileFile(file, { displayName: shown });
    if (!result.compiled) {
      problems.push(...result.diagnostics.map((d) => `${d.file}:${d.line}:${d.col}: error: ${d.message} [${d.rule}]`));
      continue;
    }
    registry.add(result.compiled, shown);
  }
  if (problems.length > 0) throw new CarepathError('invalid-pathways', `pathways do not compile:\n${problems.join('\n')}`);
  return registry;
}
