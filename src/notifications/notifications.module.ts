import { BullModule } from '@nestjs/bull';
import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { PushModule } from '../push/push.module';
import { RealtimeModule } from '../realtime/realtime.module';
import { NotificationCounterEntity } from './notification-counter.entity';
import { NotificationEntity } from './notification.entity';
import { NotificationDispatcher } from './notification-dispatcher';
import { NotificationStore } from './notification-store';
import { PublicationSnapshots } from './publication-snapshots';
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
    NotificationDispatcher,
    PublicationSnapshots,
    NotificationsQueue,
    NotificationsService,
    PublishBacklog,
    PublishAdmissionGuard,
    PublishBatcher,
    NotificationsProcessor,
    InboxService,
    TopicsService,
  ],
  exports: [
    InboxService,
    NotificationsService,
    NotificationsQueue,
    // The one way to create notifications (store, count, push); the store itself stays inside.
    NotificationDispatcher,
    BullModule,
  ],
})
export class NotificationsModule {}
