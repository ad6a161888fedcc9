import { BullModule } from '@nestjs/bull';
import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { PushModule } from '../push/push.module';
import { INBOX_PORT, inboxPortFrom } from '../realtime/inbox.port';
import { RealtimeModule } from '../realtime/realtime.module';
import { NotificationCounterEntity } from './notification-counter.entity';
import { NotificationEntity } from './notification.entity';
import { NotificationDispatcher } from './notification-dispatcher';
import { NotificationStore } from './notification-store';
import { PublicationSnapshots } from './publication-snapshots';
import { InboxPush } from './inbox-push';
import { InboxRepository } from './inbox.repository';
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
import { InboxMetrics } from './inbox-metrics';
import { InboxChanges } from './lifecycle/inbox-changes';
import { InboxLifecycleController } from './lifecycle/inbox-lifecycle.controller';
import { InboxLifecycleService } from './lifecycle/inbox-lifecycle.service';
import { INBOX_QUEUE } from './lifecycle/inbox.jobs';
import { InboxProcessor } from './lifecycle/inbox.processor';
import { InboxQueue } from './lifecycle/inbox.queue';
import { RetentionService } from './lifecycle/retention.service';
import { PreferencesController } from './preferences/preferences.controller';
import { PreferencesService } from './preferences/preferences.service';
import { PreferencesStore } from './preferences/preferences.store';

@Module({
  imports: [
    TypeOrmModule.forFeature([NotificationEntity, NotificationCounterEntity]),
    BullModule.registerQueue({ name: NOTIFICATIONS_QUEUE }),
    BullModule.registerQueue({ name: INBOX_QUEUE }),
    RealtimeModule,
    PushModule,
  ],
  controllers: [
    NotificationsController,
    TopicsController,
    InboxLifecycleController,
    PreferencesController,
  ],
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
    InboxPush,
    InboxRepository,
    InboxService,
    TopicsService,
    InboxMetrics,
    PreferencesStore,
    PreferencesService,
    InboxChanges,
    InboxQueue,
    InboxLifecycleService,
    RetentionService,
    InboxProcessor,
    inboxPortFrom(InboxService), // what /ws and /v1/stream read and mark read through
  ],
  exports: [
    // For the demo page's publish.
    NotificationsService,
    // The one way to create notifications (store, count, push); the store itself stays inside.
    // The queues stay inside too: NotificationsQueue and InboxQueue are their only producers.
    NotificationDispatcher,
    // For the Web Push path: mutedForPush(userIds, type).
    PreferencesService,
    INBOX_PORT,
  ],
})
export class NotificationsModule {}
