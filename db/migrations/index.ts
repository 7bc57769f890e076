import type { Migration } from 'kysely';
import * as auditLog from './2026-11-26-0001-audit-log.ts';
import * as journeys from './2026-11-26-0002-journeys.ts';
import * as pathwayVersions from './2026-11-26-0003-pathway-versions.ts';
import * as api from './2026-11-26-0004-api.ts';
import * as pathwayContents from './2026-12-02-0005-pathway-contents.ts';
import * as taskCalls from './2026-12-02-0006-task-calls.ts';
import * as outboxClaims from './2026-12-02-0007-outbox-claims.ts';
import * as codecSessions from './2026-12-02-0008-codec-sessions.ts';
import * as outboxErrorsCleared from './2026-12-03-0009-outbox-errors-cleared.ts';
import * as deliveryReceipts from './2026-12-06-0010-delivery-receipts.ts';
import * as outboxPassedOn from './2026-12-06-0011-outbox-passed-on.ts';
import * as inquiryReplies from './2026-12-06-0012-inquiry-replies.ts';
import * as staffConsole from './2026-12-07-0013-staff-console.ts';
import * as enrollmentAnchorKinds from './2026-12-07-0014-enrollment-anchor-kinds.ts';
import * as pathwayPublications from './2026-12-07-0015-pathway-publications.ts';

/** Every migration, in order. Names sort by date; kysely applies the missing ones in this order. */
export const migrations: Record<string, Migration> = {
  '2026-11-26-0001-audit-log': auditLog,
  '2026-11-26-0002-journeys': journeys,
  '2026-11-26-0003-pathway-versions': pathwayVersions,
  '2026-11-26-0004-api': api,
  '2026-12-02-0005-pathway-contents': pathwayContents,
  '2026-12-02-0006-task-calls': taskCalls,
  '2026-12-02-0007-outbox-claims': outboxClaims,
  '2026-12-02-0008-codec-sessions': codecSessions,
  '2026-12-03-0009-outbox-errors-cleared': outboxErrorsCleared,
  '2026-12-06-0010-delivery-receipts': deliveryReceipts,
  '2026-12-06-0011-outbox-passed-on': outboxPassedOn,
  '2026-12-06-0012-inquiry-replies': inquiryReplies,
  '2026-12-07-0013-staff-console': staffConsole,
  '2026-12-07-0014-enrollment-anchor-kinds': enrollmentAnchorKinds,
  '2026-12-07-0015-pathway-publications': pathwayPublications,
};
