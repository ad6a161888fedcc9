import { BullModule } from '@nestjs/bull';
import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { NotificationsModule } from '../notifications/notifications.module';
import { PushModule } from '../push/push.module';
import { RealtimeModule } from '../realtime/realtime.module';
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
    RealtimeModule,
    PushModule,
  ],
  controllers: [TasksController],
  providers: [
    TasksService,
    TasksQueue,
    TasksProcessor,
    TaskReminders,
    TaskChangeRelay,
    TaskSubscriber,
  ],
  exports: [TasksQueue],
})
export class TasksModule {}
