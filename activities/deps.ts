import type { Kysely } from 'kysely';
import type { Channel } from '../channels/channel.ts';
import type { RenderTemplate } from '../channels/templates.ts';
import type { Database } from '../db/database.ts';
import type { ResolveRecipient } from '../enrollment/identity/recipient-resolver.ts';
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
  /**
   * The recipient of a message: the patient's contact point for the channel, with its consent
   * (decrypted in the activity only), or why there is none. Without it (a journey run without a
   * patient directory, as some workflow tests do) adapters receive no recipient.
   */
  resolveRecipient?: ResolveRecipient;
}
