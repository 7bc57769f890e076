// Pathway versions published to the running platform (POST /v1/pathways, `carepath pathways
// publish`): offered at start when newer than the file's version, and picked up by every API
// process within a poll, so the next enrolment anywhere uses them.
import type { Kysely } from 'kysely';
import type { Database } from '../db/database.ts';
import { latestPathwayPublications, versionFirstSeen, type Publication } from '../db/repositories/pathway-publications.ts';
import type { PathwayRegistry } from '../pathway/registry.ts';

/** Where a published version came from, as the registry lists it. */
export function publicationOrigin(p: Pick<Publication, 'publishedBy' | 'publishedAt'>): string {
  return `published by ${p.publishedBy} at ${p.publishedAt.toISOString()}`;
}

/**
 * At start: offers each pathway's newest publication unless the file under pathways/ carries a
 * version first recorded after it (a deploy after the publication wins). Returns the newest
 * publication time seen, to watch from.
 */
export async function applyPublications(db: Kysely<Database>, registry: PathwayRegistry): Promise<{ since: Date | undefined; offered: string[] }> {
  let since: Date | undefined;
  const offered: string[] = [];
  for (const p of await latestPathwayPublications(db)) {
    if (!since || p.publishedAt > since) since = p.publishedAt;
    const current = registry.get(p.pathwayId);
    if (current?.hash === p.hash) continue;
    const fileSeen = current ? await versionFirstSeen(db, current.id, current.version) : undefined;
    if (fileSeen && fileSeen > p.publishedAt) continue;
    registry.publish(p.compiled, publicationOrigin(p));
    offered.push(`${p.pathwayId}@${p.version}`);
  }
  return { since, offered };
}

/**
 * Polls for publications made after the start (by any process): each pathway's newest one by
 * the database's order is offered here, so every process converges on the same version even
 * when two publications cross. What the start decided (`since` and before) stands. `stop()` ends it.
 */
export function watchPublications(
  db: Kysely<Database>,
  registry: PathwayRegistry,
  options: { since: Date | undefined; intervalMs: number; onError: (err: unknown) => void; onOffered?: (ids: string[]) => void },
): { stop(): void } {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    latestPathwayPublications(db)
      .then((latest) => {
        const offered: string[] = [];
        for (const p of latest) {
          if (options.since && p.publishedAt <= options.since) continue;
          if (registry.get(p.pathwayId)?.hash === p.hash) continue;
          registry.publish(p.compiled, publicationOrigin(p));
          offered.push(`${p.pathwayId}@${p.version}`);
        }
        if (offered.length) options.onOffered?.(offered);
      })
      .catch(options.onError)
      .finally(() => (running = false));
  }, options.intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
