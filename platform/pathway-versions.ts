import type { Kysely } from 'kysely';
import type { Database } from '../db/database.ts';
import { recordPathwayVersion } from '../db/repositories/pathway-versions.ts';
import type { PathwayRegistry } from '../pathway/registry.ts';

/** The fix a coordinator applies when a file changed under a version already run. */
export function versionReusedMessage(file: string, id: string, version: string, storedHash: string, since = 'it was first run'): string {
  return (
    `${file}: pathway ${id} version ${version} changed since ${since} (recorded sha256 ${storedHash.slice(0, 12)}…); ` +
    `give the changed file a new version (e.g. version: "${nextVersion(version)}") or restore the recorded content`
  );
}

/** `2` → `3`, `1.0.0` → `1.0.1`; a version without a trailing number gets `.1`. */
export function nextVersion(version: string): string {
  const m = /^(.*?)(\d+)$/.exec(version);
  return m ? `${m[1]}${Number(m[2]) + 1}` : `${version}.1`;
}

/**
 * Stores every offered pathway version. A file whose content changed while its version did not
 * is refused — journeys pinned to that version would no longer match what it says — and only
 * that pathway: the others are offered as usual. Returns the refusals.
 */
export async function recordPathwayVersions(db: Kysely<Database>, registry: PathwayRegistry): Promise<{ id: string; reason: string }[]> {
  const refused: { id: string; reason: string }[] = [];
  for (const summary of registry.list()) {
    const stored = await recordPathwayVersion(db, registry.get(summary.id)!);
    if (stored !== summary.hash) refused.push({ id: summary.id, reason: versionReusedMessage(summary.file, summary.id, summary.version, stored) });
  }
  for (const r of refused) registry.refuse(r.id, r.reason);
  return refused;
}
