/**
 * The per-assignee limit on tasks assigned by others: at most TASK_ASSIGNMENTS_PER_HOUR in any
 * hour, so no user can fill another's inbox through tasks. Counted in Postgres, in the writing
 * transaction: an advisory lock per assignee serializes the check and the insert across
 * instances, and an assignment that rolls back (a 409, a failed write) is not counted.
 */
import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import { ProblemException } from '../http/problem.exception';
import type { EntityManager } from 'typeorm';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { sqlRows } from '../database/sql';

/** 429 with `Retry-After`: when the oldest assignment in the window counts no more. */
export class TooManyAssignments extends ProblemException {
  constructor(assigneeId: string, limit: number, retryAfterSeconds: number) {
    super(
      HttpStatus.TOO_MANY_REQUESTS,
      `${assigneeId} was assigned ${limit} tasks by others in the last hour ` +
        `(TASK_ASSIGNMENTS_PER_HOUR); retry later`,
      // Whole seconds, at least 1: `Retry-After: 0` would invite an immediate retry.
      { headers: { 'Retry-After': String(Math.max(1, Math.ceil(retryAfterSeconds))) } },
    );
  }
}

@Injectable()
export class TaskAssignmentLimit {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  /** Counts one assignment of `assigneeId` by `assignedBy` in `tx`, or throws 429. */
  async take(tx: EntityManager, assigneeId: string, assignedBy: string): Promise<void> {
    if (assigneeId === assignedBy) return;
    const limit = this.config.tasks.assignmentsPerHour;
    await sqlRows(tx, 'SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [
      `task-assignments:${assigneeId}`,
    ]);
    // Rows past the hour count no more: each call drops a bounded batch of the oldest (ids
    // follow insertion time), so the table stays about an hour's assignments long.
    await sqlRows(
      tx,
      `DELETE FROM task_assignments WHERE id IN (
         SELECT id FROM task_assignments WHERE assigned_at <= now() - interval '1 hour'
         ORDER BY id LIMIT 100)`,
    );
    const [window] = await sqlRows<{ n: number; free_in: number | null }>(
      tx,
      `SELECT count(*)::int AS n,
              extract(epoch FROM min(assigned_at) + interval '1 hour' - now())::float8 AS free_in
       FROM task_assignments
       WHERE assignee_id = $1 AND assigned_at > now() - interval '1 hour'`,
      [assigneeId],
    );
    if (window.n >= limit) throw new TooManyAssignments(assigneeId, limit, window.free_in ?? 1);
    await sqlRows(tx, 'INSERT INTO task_assignments (assignee_id, assigned_by) VALUES ($1, $2)', [
      assigneeId,
      assignedBy,
    ]);
  }
}
