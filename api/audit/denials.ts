import type { Kysely } from 'kysely';
import type { Database } from '../../db/database.ts';
import { appendAudit, type AuditEntry } from '../../db/repositories/audit-log.ts';

/** How long repeats of one denial (caller, route) are counted instead of written one by one. */
const WINDOW_MS = 60_000;
/** Open windows kept in memory at most; beyond, all are written out. */
const MAX_OPEN = 10_000;

interface Window {
  entry: AuditEntry;
  since: number;
  repeats: number;
}

/**
 * Writes refused requests (`access.denied`) to the audit log without letting one caller grow it
 * without bound: the first refusal of a caller on a route at once, its repeats within the minute
 * as one `access.denied.repeated` row with their count when the minute is over. Every refusal is
 * accounted for; a key refused a thousand times a minute writes two rows.
 */
export class DeniedAccessAudit {
  private readonly open = new Map<string, Window>();
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly db: Kysely<Database>) {
    this.timer = setInterval(() => void this.flush(Date.now()).catch(() => {}), WINDOW_MS);
    this.timer.unref();
  }

  async record(entry: AuditEntry, now = Date.now()): Promise<void> {
    const key = `${entry.actor}\u0000${entry.action}\u0000${entry.resourceId ?? ''}`;
    const window = this.open.get(key);
    if (window && now - window.since < WINDOW_MS) {
      window.repeats++;
      return;
    }
    if (window) await this.writeRepeats(key, window);
    if (this.open.size >= MAX_OPEN) await this.flush(Infinity);
    this.open.set(key, { entry, since: now, repeats: 0 });
    await appendAudit(this.db, entry);
  }

  /** Writes the counts of windows over by `now` (all of them with `Infinity`). */
  async flush(now: number): Promise<void> {
    for (const [key, window] of [...this.open]) if (now - window.since >= WINDOW_MS) await this.writeRepeats(key, window);
  }

  /** Writes every pending count and stops the timer. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush(Infinity);
  }

  private async writeRepeats(key: string, window: Window): Promise<void> {
    this.open.delete(key);
    if (window.repeats === 0) return;
    const { entry } = window;
    await appendAudit(this.db, {
      ...entry,
      action: `${entry.action}.repeated`,
      details: { ...(entry.details as object), repeats: window.repeats, since: new Date(window.since).toISOString() },
    });
  }
}
