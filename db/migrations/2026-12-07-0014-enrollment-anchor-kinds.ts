import { sql, type Kysely } from 'kysely';

// Frozen in time: never edit a migration that has shipped; add a new one.
// An enrolment's recorded anchors and the events that set one were keyed by name alone, so an
// event named like an anchor would have replaced it. The kind (anchor or event) joins the key.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('enrollment_anchors')
    .addColumn('kind', 'text', (c) => c.notNull().defaultTo('anchor'))
    .execute();
  await db.updateTable('enrollment_anchors').set({ kind: 'event' }).where('source', '=', 'event').execute();
  await db.schema.alterTable('enrollment_anchors').dropConstraint('enrollment_anchors_pk').execute();
  await db.schema.alterTable('enrollment_anchors').addPrimaryKeyConstraint('enrollment_anchors_pk', ['enrollment_id', 'kind', 'name']).execute();
  await sql`alter table enrollment_anchors alter column kind drop default`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.deleteFrom('enrollment_anchors').where('kind', '=', 'event').execute();
  await db.schema.alterTable('enrollment_anchors').dropConstraint('enrollment_anchors_pk').execute();
  await db.schema.alterTable('enrollment_anchors').addPrimaryKeyConstraint('enrollment_anchors_pk', ['enrollment_id', 'name']).execute();
  await db.schema.alterTable('enrollment_anchors').dropColumn('kind').execute();
}
