/**
 * Keeps a task's reminder (a delayed `task.due` job in Redis) in line with the task as it is
 * now: one reminder at `dueAt` while the task exists, has a due time and is not done; none
 * otherwise. Reminder ids carry the due time, so moving `dueAt` is "cancel the old id, add the
 * new one", and a reminder that escaped cancellation finds, when it fires, that the task's due
 * time is no longer its own and sends nothing (TasksProcessor.remind).
 */
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { TaskEntity } from './task.entity';
import { taskJobId, type TaskChange } from './tasks.jobs';
import { TasksQueue } from './tasks.queue';

@Injectable()
export class TaskReminders {
  constructor(
    @InjectRepository(TaskEntity) private readonly tasks: Repository<TaskEntity>,
    private readonly queue: TasksQueue,
  ) {}

  /**
   * Called for every change that touches the reminder, in any order and possibly more than
   * once: it reads the current task, so the result does not depend on which change came first.
   */
  async reconcile(change: TaskChange): Promise<void> {
    const task = await this.tasks.findOne({ where: { id: change.taskId } });
    const wanted = task && task.status !== 'done' && task.dueAt ? task.dueAt.getTime() : null;
    const mentioned = [change.dueAt.before, change.dueAt.after]
      .filter((at): at is string => at !== null)
      .map((at) => Date.parse(at));
    for (const at of new Set(mentioned)) {
      if (at !== wanted) await this.queue.cancel(taskJobId.due(change.taskId, at));
    }
    if (wanted === null) return;
    const jobId = taskJobId.due(change.taskId, wanted);
    // A reminder that already ran for exactly this due time is not sent again.
    if (await this.queue.exists(jobId)) return;
    await this.queue.add(
      'task.due',
      { taskId: change.taskId, dueAt: new Date(wanted).toISOString(), actorId: change.actorId },
      jobId,
      wanted - Date.now(),
    );
  }
}
