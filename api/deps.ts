import type { Client, Connection } from '@temporalio/client';
import type { PayloadCodec } from '@temporalio/common';
import type { Kysely } from 'kysely';
import type { ReceiptProvider } from '../channels/receipts.ts';
import type { RenderTemplate } from '../channels/templates.ts';
import type { WechatServerConfig } from '../channels/wechat-server.ts';
import type { Database } from '../db/database.ts';
import type { IdentityVault } from '../enrollment/identity/identity-vault.ts';
import type { PathwayRegistry } from '../pathway/registry.ts';

/** What the HTTP app needs from the process that boots it. */
export interface AppDeps {
  db: Kysely<Database>;
  /** The pathways offered for new enrolments, compiled at start. */
  pathways: PathwayRegistry;
  temporal: { connection: Connection; client: Client; namespace: string; taskQueue: string };
  /** Encrypts and decrypts patient identity; routes that need it answer 503 without it. */
  identity?: IdentityVault;
  /** The Temporal payload codec and the Web UI origins allowed to call `/codec` from a browser. */
  codec?: { codec: PayloadCodec; allowedOrigins: readonly string[] };
  limits?: AppLimits;
  /** The content folder pathways published through the API are compiled against (pathways/content). */
  pathwayContentDir?: string;
  /** The message templates, to show staff who may read identity the text a patient was sent. */
  renderTemplate?: RenderTemplate;
  /** Per SMS provider, the token its delivery receipts must carry (CAREPATH_<PROVIDER>_RECEIPT_TOKEN); without one, no receipt route. */
  receiptTokens?: Partial<Record<ReceiptProvider, string>>;
  /** The Official Account's message endpoint (its Token, and in secure mode its key); without it, no WeChat message route. */
  wechatServer?: WechatServerConfig | null;
  /** The staff console's built files (platform/console-build.ts); without them, no console. */
  console?: { dir: string };
}

export interface AppLimits {
  /** Largest JSON body of a /v1 route, in bytes (default 64 KiB). */
  bodyLimit?: number;
  /** Requests per minute and caller (API key, else address); default 600. */
  rateLimitPerMinute?: number;
}
