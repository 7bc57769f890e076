import type { Kysely } from 'kysely';
import { CarepathError } from '../config/errors.ts';
import type { Database } from '../db/database.ts';
import { recordPathwayVersion } from '../db/repositories/pathway-versions.ts';
import type { PathwayRegistry } from '../pathway/registry.ts';

/**
 * Stores every offered pathway version. A file whose content changed while its version did not
 * stops the start: journeys pinned to that version would no longer match what it says.
 */
export async function recordPathwayVersions(db: Kysely<Database>, registry: PathwayRegistry): Promise<void> {
  const problems: string[] = [];
  for (const summary of registry.list()) {
    const stored = await recordPathwayVersion(db, registry.get(summary.id)!);
    if (stored !== summary.hash) {
      problems.push(`${summary.file}: pathway ${summary.id} version ${summary.version} changed since it was first run (hash ${stored.slice(0, 19)}…); give it a new version`);
    }
  }
  if (problems.length > 0) throw new CarepathError('pathway-version-reused', problems.join('\n'));
}
