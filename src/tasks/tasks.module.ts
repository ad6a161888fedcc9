import { BullModule } from '@nestjs/bull';
import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { NotificationsModule } from '../notifications/notifications.module';
import { TaskAssignmentLimit } from './task-assignment-limit';
import { TaskChangeRelay } from './task-change.relay';
import { TaskReminders } from './task-reminders';
import { TaskEntity } from './task.entity';
import { TaskSubscriber } from './task.subscriber';
import { TasksController } from './tasks.controller';
import { TASKS_QUEUE } from './tasks.jobs';
import { TasksProcessor } from './tasks.processor';
import { TasksQueue } from './tasks.queue';
import { TasksService } from './tasks.service';

@Module({
  imports: [
    TypeOrmModule.forFeature([TaskEntity]),
    BullModule.registerQueue({ name: TASKS_QUEUE }),
    NotificationsModule,
  ],
  controllers: [TasksController],
  providers: [
    TasksService,
    TaskAssignmentLimit,
    TasksQueue,
    TasksProcessor,
    TaskReminders,
    TaskChangeRelay,
    TaskSubscriber,
  ],
})
export class TasksModule {}
