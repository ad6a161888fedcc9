/**
 * Task CRUD with the rules of API.md: the owner has full control, the assignee may change the
 * status or hand the task back (`assigneeId: null`), anyone else is told the task does not exist
 * (404, so ids do not leak). A write may name the version it is based on: a stale one fails
 * with 409 instead of overwriting a newer change; one that names none applies to the current
 * task. Against inbox flooding through tasks: an assignee who handed a task back is never
 * assigned it again (403), and assignments by others count towards the assignee's hourly limit
 * (TaskAssignmentLimit, 429), both in the writing transaction. Notifications and reminders
 * follow from the committed rows (see TaskChangeRelay), not from here.
 */
import {
  BadRequestException,
  ForbiddenException,
  Injectable,
  NotFoundException,
} from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository, type EntityManager } from 'typeorm';
import { sqlRows } from '../database/sql';
import { TaskAssignmentLimit } from './task-assignment-limit';
import { hasScope, type Principal } from '../auth/principal';
import type { CreateTaskDto } from './dto/create-task.dto';
import type { DeleteTaskDto } from './dto/delete-task.dto';
import type { ListTasksQuery } from './dto/list-tasks.query';
import { ASSIGNEE_MAY_CHANGE, type UpdateTaskDto } from './dto/update-task.dto';
import { decodeCursor, encodeCursor } from './task-cursor';
import { expectedVersion } from './task-version';
import { TaskVersionConflict } from './task-version-conflict';
import { TaskEntity } from './task.entity';
import { rowToView, toTaskView, type TaskRow } from './task.mapper';
import type { TaskPage, TaskView } from './task.types';
import { UUID_PATTERN } from '../http/uuid';

type TaskChanges = Partial<
  Pick<TaskEntity, 'title' | 'description' | 'status' | 'assigneeId' | 'dueAt'>
>;

@Injectable()
export class TasksService {
  constructor(
    @InjectRepository(TaskEntity) private readonly tasks: Repository<TaskEntity>,
    private readonly assignmentLimit: TaskAssignmentLimit,
  ) {}

  async create(principal: Principal, dto: CreateTaskDto): Promise<TaskView> {
    const ownerId = dto.ownerId ?? principal.userId;
    if (ownerId !== principal.userId && !hasScope(principal, 'tasks:write')) {
      throw new ForbiddenException(
        "creating a task for another owner needs the 'tasks:write' scope",
      );
    }
    const task = await this.tasks.manager.transaction(async (tx) => {
      if (dto.assigneeId) await this.assignmentLimit.take(tx, dto.assigneeId, principal.userId);
      const tasks = tx.getRepository(TaskEntity);
      return tasks.save(
        tasks.create({
          ownerId,
          assigneeId: dto.assigneeId ?? null,
          title: dto.title,
          description: dto.description ?? '',
          status: dto.status ?? 'open',
          dueAt: dto.dueAt ? new Date(dto.dueAt) : null,
          updatedBy: principal.userId,
        }),
      );
    });
    return toTaskView(task);
  }

  async get(principal: Principal, id: string): Promise<TaskView> {
    return toTaskView(await this.findVisible(principal.userId, id));
  }

  /** Tasks the caller owns or is assigned, newest first. */
  async list(principal: Principal, query: ListTasksQuery): Promise<TaskPage> {
    const qb = this.tasks
      .createQueryBuilder('t')
      .where('(t.ownerId = :me OR t.assigneeId = :me)', { me: principal.userId });
    if (query.status) qb.andWhere('t.status = :status', { status: query.status });
    if (query.assigneeId)
      qb.andWhere('t.assigneeId = :assigneeId', { assigneeId: query.assigneeId });
    if (query.cursor) {
      const after = decodeCursor(query.cursor);
      qb.andWhere('(t.createdAt, t.id) < (:createdAt, :id)', after);
    }
    const rows = await qb
      .orderBy('t.createdAt', 'DESC')
      .addOrderBy('t.id', 'DESC')
      .limit(query.limit + 1)
      .getMany();
    const page = rows.slice(0, query.limit);
    const last = page.at(-1);
    return {
      items: page.map(toTaskView),
      nextCursor: rows.length > query.limit && last ? encodeCursor(last) : null,
    };
  }

  async update(
    principal: Principal,
    id: string,
    dto: UpdateTaskDto,
    ifMatch: string | undefined,
  ): Promise<TaskView> {
    const me = principal.userId;
    const changes = changesOf(dto);
    const fields = Object.keys(changes);
    const row = await this.tasks.manager.transaction(async (tx) => {
      // Locked until COMMIT: the checks below hold for the row the UPDATE writes, with or
      // without a version named; a concurrent write to the task waits for this one.
      const task = await this.findVisible(me, id, tx);
      if (fields.length === 0) {
        throw new BadRequestException([
          'nothing to change: send title, description, status, assigneeId or dueAt',
        ]);
      }
      const handingBack = task.ownerId !== me && changes.assigneeId === null;
      if (task.ownerId !== me) {
        const forbidden = fields.filter(
          (field) => !ASSIGNEE_MAY_CHANGE.has(field) && !(field === 'assigneeId' && handingBack),
        );
        if (forbidden.length) {
          throw new ForbiddenException(
            'the assignee may change only the status, or set assigneeId to null to hand the ' +
              `task back, not ${forbidden.join(', ')}`,
          );
        }
      }
      const expected = expectedVersion(dto.version, ifMatch);
      if (expected !== undefined && task.version !== expected) {
        throw new TaskVersionConflict(task.version);
      }
      const newAssignee =
        changes.assigneeId && changes.assigneeId !== task.assigneeId ? changes.assigneeId : null;
      if (newAssignee) {
        await this.refuseHandedBack(tx, id, newAssignee);
        await this.assignmentLimit.take(tx, newAssignee, me);
      }
      // Only the named fields are set; the trigger bumps `version` (see TaskEntity).
      const result = await tx
        .createQueryBuilder()
        .update(TaskEntity)
        .set({ ...changes, updatedBy: me })
        .where('id = :id', { id })
        .returning('*')
        .execute();
      const [updated] = result.raw as TaskRow[];
      if (handingBack) {
        await sqlRows(
          tx,
          'INSERT INTO task_handbacks (task_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING',
          [id, me],
        );
      }
      return updated;
    });
    return rowToView(row);
  }

  /** An assignee who handed the task back is never assigned it (nor told about it) again. */
  private async refuseHandedBack(tx: EntityManager, taskId: string, userId: string) {
    const rows = await sqlRows(
      tx,
      'SELECT 1 FROM task_handbacks WHERE task_id = $1 AND user_id = $2',
      [taskId, userId],
    );
    if (rows.length) {
      throw new ForbiddenException(
        `${userId} handed this task back; it cannot be assigned to them again`,
      );
    }
  }

  async remove(
    principal: Principal,
    id: string,
    dto: DeleteTaskDto,
    ifMatch: string | undefined,
  ): Promise<void> {
    const me = principal.userId;
    const task = await this.findVisible(me, id);
    if (task.ownerId !== me) throw new ForbiddenException('only the owner may delete a task');
    const expected = expectedVersion(dto.version, ifMatch);
    if (expected !== undefined && task.version !== expected) {
      throw new TaskVersionConflict(task.version);
    }
    const qb = this.tasks
      .createQueryBuilder()
      .delete()
      .from(TaskEntity)
      .where('id = :id AND owner_id = :me', { id, me });
    if (expected !== undefined) qb.andWhere('version = :expected', { expected });
    const result = await qb.execute();
    if (result.affected) return;
    if (expected !== undefined)
      throw new TaskVersionConflict((await this.findVisible(me, id)).version);
    throw notFound();
  }

  /** The task if `userId` owns it or is assigned it; with `tx`, locked until `tx` ends. */
  private async findVisible(userId: string, id: string, tx?: EntityManager): Promise<TaskEntity> {
    if (!UUID_PATTERN.test(id)) throw notFound();
    const task = await (tx ?? this.tasks.manager).findOne(TaskEntity, {
      where: [
        { id, ownerId: userId },
        { id, assigneeId: userId },
      ],
      ...(tx ? { lock: { mode: 'pessimistic_write' as const } } : {}),
    });
    if (!task) throw notFound();
    return task;
  }
}

function notFound(): NotFoundException {
  return new NotFoundException('task not found');
}

function changesOf(dto: UpdateTaskDto): TaskChanges {
  const changes: TaskChanges = {};
  if (dto.title !== undefined) changes.title = dto.title;
  if (dto.description !== undefined) changes.description = dto.description;
  if (dto.status !== undefined) changes.status = dto.status;
  if (dto.assigneeId !== undefined) changes.assigneeId = dto.assigneeId;
  if (dto.dueAt !== undefined) changes.dueAt = dto.dueAt === null ? null : new Date(dto.dueAt);
  return changes;
}
