import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Topic access, `publisher`, fan-out caps and task abuse limits (issue 12). Hand-written.
 * - `topics`: one row per topic, `self_subscribe` false unless a service opens it; existing
 *   topics are migrated closed. `subscribers` counts its rows of `topic_subscriptions`, and
 *   `user_topic_counts` counts each user's, both updated in the subscribing transaction under
 *   the row lock, so the caps are exact across instances.
 * - `notifications.publisher`: backfilled from the publication's `publisher_id`; for task
 *   notifications (published as `herald:tasks` until now) from the acting user the row names
 *   (`assignedBy` / `changedBy`). Rows with no publication left say 'unknown'; the default
 *   keeps an instance still running the old code able to insert during a rolling upgrade.
 * - `publication_snapshots`: a large topic publish's recipients, frozen once in Postgres so that
 *   a retry stores exactly the same parts (instead of copying the list into the Bull job).
 * - `task_handbacks`: an assignee who handed a task back is never assigned it (nor told about
 *   it) again. `task_assignments`: assignments by others, for the per-assignee hourly limit.
 */
export class TopicAccessPublisher1796160712529 implements MigrationInterface {
  name = 'TopicAccessPublisher1796160712529';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "topics" ("topic" character varying(200) NOT NULL, "self_subscribe" boolean NOT NULL DEFAULT false, "subscribers" integer NOT NULL DEFAULT 0, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_topics" PRIMARY KEY ("topic"))`,
    );
    await queryRunner.query(
      `INSERT INTO "topics" ("topic", "subscribers")
       SELECT "topic", count(*) FROM "topic_subscriptions" GROUP BY "topic"`,
    );
    await queryRunner.query(
      `CREATE TABLE "user_topic_counts" ("user_id" character varying(128) NOT NULL, "topics" integer NOT NULL DEFAULT 0, CONSTRAINT "PK_user_topic_counts" PRIMARY KEY ("user_id"))`,
    );
    await queryRunner.query(
      `INSERT INTO "user_topic_counts" ("user_id", "topics")
       SELECT "user_id", count(*) FROM "topic_subscriptions" GROUP BY "user_id"`,
    );

    await queryRunner.query(
      `ALTER TABLE "notifications" ADD "publisher" character varying(128) NOT NULL DEFAULT 'unknown'`,
    );
    await queryRunner.query(
      `UPDATE "notifications" n SET "publisher" = CASE
         WHEN p."publisher_id" <> 'herald:tasks' THEN p."publisher_id"
         WHEN n."type" = 'task.assigned' AND n."data" ? 'assignedBy' THEN n."data"->>'assignedBy'
         WHEN n."type" = 'task.status_changed' AND n."data" ? 'changedBy' THEN n."data"->>'changedBy'
         ELSE p."publisher_id" END
       FROM "publications" p WHERE p."job_id" = n."job_id"`,
    );

    await queryRunner.query(
      `CREATE TABLE "publication_snapshots" ("publication_id" character varying(100) NOT NULL, "topic" character varying(200) NOT NULL, "recipients" character varying(128) array NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_publication_snapshots" PRIMARY KEY ("publication_id"))`,
    );

    await queryRunner.query(
      `CREATE TABLE "task_handbacks" ("task_id" uuid NOT NULL, "user_id" character varying(128) NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_task_handbacks" PRIMARY KEY ("task_id", "user_id"), CONSTRAINT "FK_task_handbacks_task" FOREIGN KEY ("task_id") REFERENCES "tasks"("id") ON DELETE CASCADE)`,
    );
    await queryRunner.query(
      `CREATE TABLE "task_assignments" ("id" BIGSERIAL NOT NULL, "assignee_id" character varying(128) NOT NULL, "assigned_by" character varying(128) NOT NULL, "assigned_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_task_assignments" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_task_assignments_assignee" ON "task_assignments" ("assignee_id", "assigned_at")`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "task_assignments"`);
    await queryRunner.query(`DROP TABLE "task_handbacks"`);
    await queryRunner.query(`DROP TABLE "publication_snapshots"`);
    await queryRunner.query(`ALTER TABLE "notifications" DROP COLUMN "publisher"`);
    await queryRunner.query(`DROP TABLE "user_topic_counts"`);
    await queryRunner.query(`DROP TABLE "topics"`);
  }
}
