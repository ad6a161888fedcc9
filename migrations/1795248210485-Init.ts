import { MigrationInterface, QueryRunner } from 'typeorm';

export class Init1795248210485 implements MigrationInterface {
  name = 'Init1795248210485';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "notification_counters" ("user_id" character varying(128) NOT NULL, "last_seq" integer NOT NULL, CONSTRAINT "PK_516a4a359b1f1e6a7e16cbe76a5" PRIMARY KEY ("user_id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "notifications" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "user_id" character varying(128) NOT NULL, "seq" integer NOT NULL, "type" character varying(100) NOT NULL, "title" character varying(200) NOT NULL, "body" character varying(2000) NOT NULL DEFAULT '', "data" jsonb NOT NULL DEFAULT '{}'::jsonb, "topic" character varying(200), "job_id" character varying(100) NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "read_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_6a72c3c0f683f6462415e653c3a" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_notifications_job" ON "notifications"  ("job_id") `);
    await queryRunner.query(
      `CREATE INDEX "IDX_notifications_unread" ON "notifications"  ("user_id") WHERE "read_at" IS NULL`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "UQ_notifications_user_seq" ON "notifications"  ("user_id", "seq") `,
    );
    await queryRunner.query(
      `CREATE TABLE "publications" ("job_id" character varying(100) NOT NULL, "publisher_id" character varying(128) NOT NULL, "recipients" integer NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_519f43d027542c42ab699931f51" PRIMARY KEY ("job_id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "topic_subscriptions" ("topic" character varying(200) NOT NULL, "user_id" character varying(128) NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_503f5f8b0e46a00975427898f1b" PRIMARY KEY ("topic", "user_id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_topic_subscriptions_user" ON "topic_subscriptions"  ("user_id") `,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."IDX_topic_subscriptions_user"`);
    await queryRunner.query(`DROP TABLE "topic_subscriptions"`);
    await queryRunner.query(`DROP TABLE "publications"`);
    await queryRunner.query(`DROP INDEX "public"."UQ_notifications_user_seq"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_notifications_unread"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_notifications_job"`);
    await queryRunner.query(`DROP TABLE "notifications"`);
    await queryRunner.query(`DROP TABLE "notification_counters"`);
  }
}
