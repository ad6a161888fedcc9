import { MigrationInterface, QueryRunner } from 'typeorm';

/** Web Push subscriptions: one row per browser endpoint (unique), looked up by user. */
export class PushSubscriptions1796160833729 implements MigrationInterface {
  name = 'PushSubscriptions1796160833729';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "push_subscriptions" (
         "id" uuid NOT NULL DEFAULT gen_random_uuid(),
         "user_id" character varying(128) NOT NULL,
         "endpoint" character varying(2048) NOT NULL,
         "p256dh" character varying(100) NOT NULL,
         "auth" character varying(50) NOT NULL,
         "expiration_time" TIMESTAMP WITH TIME ZONE,
         "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
         CONSTRAINT "PK_push_subscriptions" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "UQ_push_subscriptions_endpoint" ON "push_subscriptions" ("endpoint")`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_push_subscriptions_user" ON "push_subscriptions" ("user_id")`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "push_subscriptions"`);
  }
}
