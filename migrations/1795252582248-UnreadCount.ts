import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Keeps each user's unread count on their counter row (exact, O(1), updated under the row lock
 * that publishing and marking read already take), so `unread` can be pushed with every change.
 * Generated, then reviewed: TypeORM also proposed re-setting `notifications.data`'s default,
 * a false difference in how it compares '{}'::jsonb, which is left out.
 */
export class UnreadCount1795252582248 implements MigrationInterface {
  name = 'UnreadCount1795252582248';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "notification_counters" ADD "unread_count" integer NOT NULL DEFAULT '0'`,
    );
    await queryRunner.query(
      `UPDATE "notification_counters" c SET "unread_count" = (
         SELECT count(*) FROM "notifications" n WHERE n."user_id" = c."user_id" AND n."read_at" IS NULL)`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "notification_counters" DROP COLUMN "unread_count"`);
  }
}
