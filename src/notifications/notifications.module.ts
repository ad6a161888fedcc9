import { BullModule } from '@nestjs/bull';
import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { PushModule } from '../push/push.module';
import { RealtimeModule } from '../realtime/realtime.module';
import { NotificationCounterEntity } from './notification-counter.entity';
import { NotificationEntity } from './notification.entity';
import { NotificationStore } from './notification-store';
import { InboxService } from './inbox.service';
import { NotificationsController } from './notifications.controller';
import { NOTIFICATIONS_QUEUE } from './notifications.jobs';
import { NotificationsProcessor } from './notifications.processor';
import { NotificationsQueue } from './notifications.queue';
import { NotificationsService } from './notifications.service';
import { PublishAdmissionGuard } from './publish-admission.guard';
import { PublishBacklog } from './publish-backlog';
import { PublishBatcher } from './publish-batcher';
import { TopicsController } from './topics.controller';
import { TopicsService } from './topics.service';

@Module({
  imports: [
    TypeOrmModule.forFeature([NotificationEntity, NotificationCounterEntity]),
    BullModule.registerQueue({ name: NOTIFICATIONS_QUEUE }),
    RealtimeModule,
    PushModule,
  ],
  controllers: [NotificationsController, TopicsController],
  providers: [
    NotificationStore,
    NotificationsQueue,
    NotificationsService,
    PublishBacklog,
    PublishAdmissionGuard,
    PublishBatcher,
    NotificationsProcessor,
    InboxService,
    TopicsService,
  ],
  exports: [InboxService, NotificationsService, NotificationsQueue, NotificationStore, BullModule],
})
export class NotificationsModule {}
