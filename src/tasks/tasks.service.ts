/**
 * Task CRUD with the rules of API.md: the owner has full control, the assignee may change the
 * status, anyone else is told the task does not exist (404, so ids do not leak). Writes carry
 * the version they are based on and fail with 409 instead of overwriting a newer change.
 * Notifications and reminders follow from the committed rows (see TaskChangeRelay), not from
 * here.
 */
import {
  BadRequestException,
  ForbiddenException,
  Injectable,
  NotFoundException,
} from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { hasScope, type Principal } from '../auth/principal';
import type { CreateTaskDto } from './dto/create-task.dto';
import type { ListTasksQuery } from './dto/list-tasks.query';
import { ASSIGNEE_MAY_CHANGE, type UpdateTaskDto } from './dto/update-task.dto';
import { decodeCursor, encodeCursor } from './task-cursor';
import { expectedVersion } from './task-version';
import { TaskVersionConflict } from './task-version-conflict';
import { TaskEntity } from './task.entity';
import { rowToView, toTaskView, type TaskRow } from './task.mapper';
import type { TaskPage, TaskView } from './task.types';
import { UUID_PATTERN } from '../common/uuid';

type TaskChanges = Partial<
  Pick<TaskEntity, 'title' | 'description' | 'status' | 'assigneeId' | 'dueAt'>
>;

@Injectable()
export class TasksService {
  constructor(@InjectRepository(TaskEntity) private readonly tasks: Repository<TaskEntity>) {}

  async create(principal: Principal, dto: CreateTaskDto): Promise<TaskView> {
    const ownerId = dto.ownerId ?? principal.userId;
    if (ownerId !== principal.userId && !hasScope(principal, 'tasks:write')) {
      throw new ForbiddenException(
        "creating a task for another owner needs the 'tasks:write' scope",
      );
    }
    const task = await this.tasks.save(
      this.tasks.create({
        ownerId,
        assigneeId: dto.assigneeId ?? null,
        title: dto.title,
        description: dto.description ?? '',
        status: dto.status ?? 'open',
        dueAt: dto.dueAt ? new Date(dto.dueAt) : null,
        updatedBy: principal.userId,
      }),
    );
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
    const task = await this.findVisible(me, id);
    const changes = changesOf(dto);
    const fields = Object.keys(changes);
    if (fields.length === 0) {
      throw new BadRequestException([
        'nothing to change: send title, description, status, assigneeId or dueAt',
      ]);
    }
    if (task.ownerId !== me) {
      const forbidden = fields.filter((field) => !ASSIGNEE_MAY_CHANGE.has(field));
      if (forbidden.length) {
        throw new ForbiddenException(
          `the assignee may change only the status, not ${forbidden.join(', ')}`,
        );
      }
    }
    const expected = expectedVersion(dto.version, ifMatch, true);
    if (task.version !== expected) throw new TaskVersionConflict(task.version);
    // Conditional on the version we checked: of two writes based on it, one wins, one gets 409.
    const result = await this.tasks
      .createQueryBuilder()
      .update(TaskEntity)
      .set({ ...changes, updatedBy: me })
      .where('id = :id AND version = :expected', { id, expected })
      .returning('*')
      .execute();
    const [row] = result.raw as TaskRow[];
    if (!row) throw new TaskVersionConflict((await this.findVisible(me, id)).version);
    return rowToView(row);
  }

  async remove(principal: Principal, id: string, ifMatch: string | undefined): Promise<void> {
    const me = principal.userId;
    const task = await this.findVisible(me, id);
    if (task.ownerId !== me) throw new ForbiddenException('only the owner may delete a task');
    const expected = expectedVersion(undefined, ifMatch, false);
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

  private async findVisible(userId: string, id: string): Promise<TaskEntity> {
    if (!UUID_PATTERN.test(id)) throw notFound();
    const task = await this.tasks.findOne({
      where: [
        { id, ownerId: userId },
        { id, assigneeId: userId },
      ],
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
