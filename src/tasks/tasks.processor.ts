/**
 * Runs the tasks queue: turns relayed task changes into notifications and reminder updates, and
 * fires reminders. Every step is idempotent (publication ids are derived from the change, see
 * tasks.jobs.ts), so Bull may retry a job, or run a stalled one twice, without a second
 * notification. Failures rethrow the original error so Bull retries with backoff.
 */
import { InjectQueue } from '@nestjs/bull';
import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Queue } from 'bull';
import { Repository } from 'typeorm';
import type { AppConfig } from '../config/app-config';
import { processByName, type JobHandlers } from '../queues/process-by-name';
import { APP_CONFIG } from '../config/config.module';
import { sqlRows } from '../database/sql';
import { NotificationDispatcher } from '../notifications/notification-dispatcher';
import {
  affectsReminder,
  dueNotification,
  notificationsForChange,
  type PlannedNotification,
} from './task-notifications';
import { TaskReminders } from './task-reminders';
import { TaskEntity } from './task.entity';
import { TASKS_QUEUE, type TaskChange, type TaskDueJob, type TaskJobs } from './tasks.jobs';

@Injectable()
export class TasksProcessor implements OnApplicationBootstrap {
  private readonly logger = new Logger(TasksProcessor.name);
  /** Exactly one handler per job name: the type makes a missing or extra one a compile error. */
  private readonly handlers: JobHandlers<TaskJobs> = {
    'task.created': (job) => this.applyChange(job.data),
    'task.changed': (job) => this.applyChange(job.data),
    'task.deleted': (job) => this.applyChange(job.data),
    'task.due': (job) => this.remind(job.data),
  };

  constructor(
    @InjectQueue(TASKS_QUEUE) private readonly queue: Queue,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectRepository(TaskEntity) private readonly tasks: Repository<TaskEntity>,
    private readonly reminders: TaskReminders,
    private readonly dispatcher: NotificationDispatcher,
  ) {}

  onApplicationBootstrap(): void {
    processByName(this.queue, this.handlers, {
      concurrency: this.config.queue.concurrency,
      processed: this.config.queue.processed,
      logger: this.logger,
    });
  }

  async applyChange(change: TaskChange): Promise<void> {
    for (const planned of notificationsForChange(change)) await this.notify(change.taskId, planned);
    if (affectsReminder(change)) await this.reminders.reconcile(change);
  }

  /** Acts on the task as it is now: a reminder whose due time was moved or ended sends nothing. */
  async remind(job: TaskDueJob): Promise<void> {
    const task = await this.tasks.findOne({ where: { id: job.taskId } });
    if (!task?.dueAt || task.dueAt.getTime() !== Date.parse(job.dueAt)) return;
    // A reminder queued by an earlier version does not say who scheduled it: the last writer.
    const planned = dueNotification({ ...task, dueAt: task.dueAt }, job.actorId ?? task.updatedBy);
    if (planned) await this.notify(task.id, planned);
  }

  /**
   * Through the one store-and-push step, like every notification (NotificationDispatcher), and
   * never to someone who handed the task back: the API refuses to assign them again, and this
   * also holds for writes that bypass it (raw SQL, other processes).
   */
  private async notify(taskId: string, planned: PlannedNotification): Promise<void> {
    if (planned.userIds.length === 0) return;
    const handedBack = await sqlRows<{ user_id: string }>(
      this.tasks.manager,
      'SELECT user_id FROM task_handbacks WHERE task_id = $1 AND user_id = ANY($2::varchar[])',
      [taskId, planned.userIds],
    );
    const excluded = new Set(handedBack.map((row) => row.user_id));
    const userIds = planned.userIds.filter((userId) => !excluded.has(userId));
    if (userIds.length === 0) return;
    await this.dispatcher.dispatch([
      { publicationId: planned.publicationId, target: { userIds }, content: planned.content },
    ]);
  }
}
