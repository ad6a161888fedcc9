import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Inbox lifecycle (archive, snooze), `critical`, per-type preferences, and the indexes that let
 * every view of GET /v1/notifications page in O(page): one partial (user_id, seq) index per view,
 * so a page is an index range scan that stops after `limit + 1` rows whatever the user holds.
 * The unread count now counts unread rows of the inbox view (neither archived nor snoozed); no
 * row is archived or snoozed yet, so the stored counts stay right.
 */
export class InboxLifecycle1796160778549 implements MigrationInterface {
  name = 'InboxLifecycle1796160778549';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE "notifications" ADD "critical" boolean NOT NULL DEFAULT false,
         ADD "archived_at" TIMESTAMP WITH TIME ZONE, ADD "snoozed_until" TIMESTAMP WITH TIME ZONE`,
    );
    // Replaces the (user_id) partial index: with seq it also pages `unread=true` in seq order.
    await q.query(`DROP INDEX "public"."IDX_notifications_unread"`);
    await q.query(
      `CREATE INDEX "IDX_notifications_unread" ON "notifications" ("user_id", "seq") WHERE "read_at" IS NULL`,
    );
    await q.query(
      `CREATE INDEX "IDX_notifications_inbox" ON "notifications" ("user_id", "seq") WHERE "archived_at" IS NULL AND "snoozed_until" IS NULL`,
    );
    await q.query(
      `CREATE INDEX "IDX_notifications_inbox_unread" ON "notifications" ("user_id", "seq") WHERE "read_at" IS NULL AND "archived_at" IS NULL AND "snoozed_until" IS NULL`,
    );
    await q.query(
      `CREATE INDEX "IDX_notifications_archived" ON "notifications" ("user_id", "seq") WHERE "archived_at" IS NOT NULL`,
    );
    await q.query(
      `CREATE INDEX "IDX_notifications_snoozed" ON "notifications" ("user_id", "seq") WHERE "snoozed_until" IS NOT NULL`,
    );
    await q.query(
      `CREATE INDEX "IDX_notifications_user_type" ON "notifications" ("user_id", "type", "seq")`,
    );
    await q.query(
      `CREATE INDEX "IDX_notifications_user_topic" ON "notifications" ("user_id", "topic", "seq") WHERE "topic" IS NOT NULL`,
    );
    // Wake-up sweep (snoozes whose job was lost) and retention, oldest first.
    await q.query(
      `CREATE INDEX "IDX_notifications_snoozed_until" ON "notifications" ("snoozed_until") WHERE "snoozed_until" IS NOT NULL`,
    );
    await q.query(`CREATE INDEX "IDX_notifications_created" ON "notifications" ("created_at")`);
    await q.query(`CREATE INDEX "IDX_publications_created" ON "publications" ("created_at")`);
    await q.query(`CREATE INDEX "IDX_task_changes_recorded" ON "task_changes" ("recorded_at")`);
    await q.query(
      `CREATE TABLE "notification_preferences" ("user_id" character varying(128) NOT NULL, "in_app" boolean NOT NULL DEFAULT true, "push" boolean NOT NULL DEFAULT true, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_notification_preferences" PRIMARY KEY ("user_id"))`,
    );
    await q.query(
      `CREATE TABLE "notification_preference_rules" ("user_id" character varying(128) NOT NULL, "pattern" character varying(102) NOT NULL, "in_app" boolean, "push" boolean, CONSTRAINT "PK_notification_preference_rules" PRIMARY KEY ("user_id", "pattern"))`,
    );
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "notification_preference_rules"`);
    await q.query(`DROP TABLE "notification_preferences"`);
    for (const index of [
      'IDX_task_changes_recorded',
      'IDX_publications_created',
      'IDX_notifications_created',
      'IDX_notifications_snoozed_until',
      'IDX_notifications_user_topic',
      'IDX_notifications_user_type',
      'IDX_notifications_snoozed',
      'IDX_notifications_archived',
      'IDX_notifications_inbox_unread',
      'IDX_notifications_inbox',
      'IDX_notifications_unread',
    ]) {
      await q.query(`DROP INDEX "public"."${index}"`);
    }
    await q.query(
      `CREATE INDEX "IDX_notifications_unread" ON "notifications" ("user_id") WHERE "read_at" IS NULL`,
    );
    await q.query(
      `ALTER TABLE "notifications" DROP COLUMN "snoozed_until", DROP COLUMN "archived_at", DROP COLUMN "critical"`,
    );
  }
}
