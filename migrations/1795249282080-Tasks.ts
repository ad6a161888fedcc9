import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Tasks and their outbox. Generated, then extended by hand with the triggers below (TypeORM
 * neither generates nor diffs triggers, so later generated migrations leave them alone):
 * - `tasks_before_update` bumps `version` and sets `updated_at` on every UPDATE, whoever writes.
 * - `tasks_record_*` write one `task_changes` row per insert, delete, or change of assignee,
 *   status or due time, in the writing transaction: a rollback leaves no row, a commit always does.
 */
export class Tasks1795249282080 implements MigrationInterface {
  name = 'Tasks1795249282080';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "task_changes" ("id" BIGSERIAL NOT NULL, "task_id" uuid NOT NULL, "version" integer NOT NULL, "op" character varying(6) NOT NULL, "actor_id" character varying(128) NOT NULL, "owner_id" character varying(128) NOT NULL, "title" character varying(200) NOT NULL, "assignee_before" character varying(128), "assignee_after" character varying(128), "status_before" character varying(20), "status_after" character varying(20), "due_before" TIMESTAMP(3) WITH TIME ZONE, "due_after" TIMESTAMP(3) WITH TIME ZONE, "recorded_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_c3bf1a671cd868b1833b955d404" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "tasks" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "owner_id" character varying(128) NOT NULL, "assignee_id" character varying(128), "title" character varying(200) NOT NULL, "description" character varying(5000) NOT NULL DEFAULT '', "status" character varying(20) NOT NULL DEFAULT 'open', "due_at" TIMESTAMP(3) WITH TIME ZONE, "version" integer NOT NULL DEFAULT '1', "updated_by" character varying(128) NOT NULL, "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "CHK_tasks_status" CHECK ("status" IN ('open', 'in_progress', 'done')), CONSTRAINT "PK_8d12ff38fcc62aaba2cab748772" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_tasks_assignee" ON "tasks"  ("assignee_id", "created_at", "id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_tasks_owner" ON "tasks"  ("owner_id", "created_at", "id") `,
    );

    // Hand-written from here on.
    await queryRunner.query(`
      CREATE FUNCTION tasks_before_update() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        NEW.version := OLD.version + 1;
        NEW.updated_at := now();
        RETURN NEW;
      END $$`);
    await queryRunner.query(`
      CREATE TRIGGER tasks_before_update BEFORE UPDATE ON tasks
      FOR EACH ROW EXECUTE FUNCTION tasks_before_update()`);
    await queryRunner.query(`
      CREATE FUNCTION tasks_record_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'INSERT' THEN
          INSERT INTO task_changes (task_id, version, op, actor_id, owner_id, title,
            assignee_after, status_after, due_after)
          VALUES (NEW.id, NEW.version, 'insert', NEW.updated_by, NEW.owner_id, NEW.title,
            NEW.assignee_id, NEW.status, NEW.due_at);
        ELSIF TG_OP = 'UPDATE' THEN
          INSERT INTO task_changes (task_id, version, op, actor_id, owner_id, title,
            assignee_before, assignee_after, status_before, status_after, due_before, due_after)
          VALUES (NEW.id, NEW.version, 'update', NEW.updated_by, NEW.owner_id, NEW.title,
            OLD.assignee_id, NEW.assignee_id, OLD.status, NEW.status, OLD.due_at, NEW.due_at);
        ELSE
          INSERT INTO task_changes (task_id, version, op, actor_id, owner_id, title,
            assignee_before, status_before, due_before)
          VALUES (OLD.id, OLD.version, 'delete', OLD.updated_by, OLD.owner_id, OLD.title,
            OLD.assignee_id, OLD.status, OLD.due_at);
        END IF;
        RETURN NULL;
      END $$`);
    await queryRunner.query(`
      CREATE TRIGGER tasks_record_insert_delete AFTER INSERT OR DELETE ON tasks
      FOR EACH ROW EXECUTE FUNCTION tasks_record_change()`);
    await queryRunner.query(`
      CREATE TRIGGER tasks_record_update AFTER UPDATE ON tasks
      FOR EACH ROW WHEN (
        OLD.assignee_id IS DISTINCT FROM NEW.assignee_id
        OR OLD.status IS DISTINCT FROM NEW.status
        OR OLD.due_at IS DISTINCT FROM NEW.due_at)
      EXECUTE FUNCTION tasks_record_change()`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER "tasks_record_update" ON "tasks"`);
    await queryRunner.query(`DROP TRIGGER "tasks_record_insert_delete" ON "tasks"`);
    await queryRunner.query(`DROP FUNCTION "tasks_record_change"()`);
    await queryRunner.query(`DROP TRIGGER "tasks_before_update" ON "tasks"`);
    await queryRunner.query(`DROP FUNCTION "tasks_before_update"()`);
    await queryRunner.query(`DROP INDEX "public"."IDX_tasks_owner"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_tasks_assignee"`);
    await queryRunner.query(`DROP TABLE "tasks"`);
    await queryRunner.query(`DROP TABLE "task_changes"`);
  }
}
