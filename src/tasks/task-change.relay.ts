/**
 * Moves committed task changes from the `task_changes` outbox into the tasks queue.
 *
 * The rows are written by a trigger in the writing transaction, so a change that rolls back
 * leaves nothing to relay, and one that commits always does, however it was written. The
 * relay runs when TaskSubscriber reports a commit (within milliseconds), and every
 * SWEEP_INTERVAL_MS as a safety net: that picks up writes that raise no TypeORM event (raw
 * SQL, other processes), and anything left over by a crash or a Redis outage.
 *
 * A batch is deleted and queued in one transaction with SKIP LOCKED, so instances never relay
 * the same row at once, and a batch that fails to queue is rolled back and retried. A batch
 * queued whose delete then fails to commit is queued again later: job ids are derived from the
 * change, so Bull (and NotificationStore, behind it) ignore the repeat.
 */
import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { DataSource, type QueryResult } from 'typeorm';
import type { TaskStatus } from './task.types';
import { JOB_FOR_OP, taskJobId, type TaskChange } from './tasks.jobs';
import { TasksQueue } from './tasks.queue';

const SWEEP_INTERVAL_MS = 2000;
const BATCH = 100;

interface ChangeRow {
  task_id: string;
  version: number;
  op: TaskChange['op'];
  actor_id: string;
  owner_id: string;
  title: string;
  assignee_before: string | null;
  assignee_after: string | null;
  status_before: TaskStatus | null;
  status_after: TaskStatus | null;
  due_before: Date | null;
  due_after: Date | null;
}

@Injectable()
export class TaskChangeRelay implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(TaskChangeRelay.name);
  private sweepTimer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = false;

  constructor(
    private readonly dataSource: DataSource,
    private readonly queue: TasksQueue,
  ) {}

  onApplicationBootstrap(): void {
    // What an earlier run left behind, once Redis answers (it may still be connecting).
    this.queue.whenReady().then(
      () => this.kick(),
      () => undefined, // the sweep retries
    );
    this.sweepTimer = setInterval(() => this.kick(), SWEEP_INTERVAL_MS);
    this.sweepTimer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    await this.running;
  }

  /** Relays what is committed now; calls during a run make it run once more. Never throws. */
  kick(): void {
    if (this.stopped) return;
    this.again = true;
    this.running ??= this.run().finally(() => {
      this.running = null;
      if (this.again) this.kick(); // woken after the last check of the run
    });
  }

  private async run(): Promise<void> {
    while (this.again && !this.stopped) {
      this.again = false;
      try {
        while ((await this.relayBatch()) === BATCH && !this.stopped);
      } catch (error) {
        // Left in the outbox; the next sweep (or commit) tries again.
        this.logger.warn(`task changes not relayed yet: ${(error as Error).message}`);
        return;
      }
    }
  }

  /** Queues up to BATCH changes; answers how many. */
  async relayBatch(): Promise<number> {
    return this.dataSource.transaction(async (manager) => {
      // The structured result: `manager.query` answers [rows, count] for a DELETE.
      const result: QueryResult = await manager.queryRunner!.query(
        `DELETE FROM task_changes WHERE id IN (
           SELECT id FROM task_changes ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED)
         RETURNING *`,
        [BATCH],
        true,
      );
      const rows = result.records as ChangeRow[];
      await Promise.all(
        rows.map((row) => {
          const change = toChange(row);
          return this.queue.add(JOB_FOR_OP[change.op], change, taskJobId.change(change));
        }),
      );
      return rows.length;
    });
  }
}

function toChange(row: ChangeRow): TaskChange {
  return {
    taskId: row.task_id,
    version: row.version,
    op: row.op,
    actorId: row.actor_id,
    ownerId: row.owner_id,
    title: row.title,
    assignee: { before: row.assignee_before, after: row.assignee_after },
    status: { before: row.status_before, after: row.status_after },
    dueAt: { before: iso(row.due_before), after: iso(row.due_after) },
  };
}

function iso(date: Date | null): string | null {
  return date ? date.toISOString() : null;
}
