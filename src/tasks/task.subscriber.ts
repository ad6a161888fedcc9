/**
 * The post_save signal of tasks: tells TaskChangeRelay when task changes are committed.
 *
 * Inserts, updates and deletes of TaskEntity through save/remove, repository insert/update/
 * delete and query builders raise TypeORM events. Inside a transaction the change is only
 * noted; the relay is woken after the outermost COMMIT and never after a ROLLBACK. Outside one
 * the statement has already committed, so the relay is woken at once. What the relay sends is
 * read from the `task_changes` outbox, which only holds committed changes, so this class
 * decides when to look, never what happened.
 */
import { Injectable } from '@nestjs/common';
import {
  DataSource,
  type EntitySubscriberInterface,
  type InsertEvent,
  type QueryRunner,
  type RemoveEvent,
  type TransactionCommitEvent,
  type TransactionRollbackEvent,
  type UpdateEvent,
} from 'typeorm';
import { TaskChangeRelay } from './task-change.relay';
import { TaskEntity } from './task.entity';

@Injectable()
export class TaskSubscriber implements EntitySubscriberInterface<TaskEntity> {
  /** Query runners inside a transaction that wrote tasks. */
  private readonly pending = new WeakSet<QueryRunner>();

  constructor(
    dataSource: DataSource,
    private readonly relay: TaskChangeRelay,
  ) {
    dataSource.subscribers.push(this);
  }

  listenTo(): typeof TaskEntity {
    return TaskEntity;
  }

  afterInsert(event: InsertEvent<TaskEntity>): void {
    this.noticed(event.queryRunner);
  }

  afterUpdate(event: UpdateEvent<TaskEntity>): void {
    this.noticed(event.queryRunner);
  }

  afterRemove(event: RemoveEvent<TaskEntity>): void {
    this.noticed(event.queryRunner);
  }

  // Transaction events reach every subscriber; only runners that wrote tasks matter.
  afterTransactionCommit(event: TransactionCommitEvent): void {
    // Releasing a savepoint is not the end of the transaction.
    if (event.queryRunner.isTransactionActive) return;
    if (this.pending.delete(event.queryRunner)) this.relay.kick();
  }

  afterTransactionRollback(event: TransactionRollbackEvent): void {
    if (!event.queryRunner.isTransactionActive) this.pending.delete(event.queryRunner);
  }

  private noticed(queryRunner: QueryRunner): void {
    if (queryRunner.isTransactionActive) this.pending.add(queryRunner);
    else this.relay.kick();
  }
}
