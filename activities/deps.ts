import type { Kysely } from 'kysely';
import type { Channel } from '../channels/channel.ts';
import type { RenderTemplate } from '../channels/templates.ts';
import type { Database } from '../db/database.ts';
import type { Logger } from '../logging/logger.ts';

export type { RenderTemplate };

/** What activities need from the outside world; tests pass real instances of each. */
export interface ActivityDeps {
  db: Kysely<Database>;
  logger: Logger;
  /** Channel adapters by name (wechat, sms, app, phone, …). */
  channels: ReadonlyMap<string, Channel>;
  renderTemplate: RenderTemplate;
  /**
   * The patient's display name for `{{name}}` in templates, from the patient directory (identity
   * is decrypted here, in the activity, and never enters a workflow). null for an unknown patient.
   */
  describePatient?: (patientRef: string) => Promise<{ name: string } | null>;
}
