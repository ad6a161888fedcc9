import { BullModule } from '@nestjs/bull';
import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { RealtimeModule } from '../realtime/realtime.module';
import { PreferencePushMutes } from './preference-push-mutes';
import { PushDispatcher } from './push-dispatcher';
import { PushSendPool } from './push-send-pool';
import { PushSender } from './push-sender';
import { PushServiceWorkerController } from './push-sw.controller';
import { PushSubscriptionEntity } from './push-subscription.entity';
import { PushSubscriptionsService } from './push-subscriptions.service';
import { PushController } from './push.controller';
import { PUSH_QUEUE } from './push.jobs';
import { PUSH_DISPATCH, PUSH_MUTES } from './push.ports';
import { PushProcessor } from './push.processor';
import { PushQueue } from './push.queue';

/** Web Push: subscriptions, the service worker, and sending through the `push` queue. */
@Module({
  imports: [
    TypeOrmModule.forFeature([PushSubscriptionEntity]),
    BullModule.registerQueue({ name: PUSH_QUEUE }),
    RealtimeModule,
  ],
  controllers: [PushController, PushServiceWorkerController],
  providers: [
    PushSubscriptionsService,
    PushSendPool,
    PushSender,
    PushQueue,
    PushProcessor,
    PushDispatcher,
    { provide: PUSH_DISPATCH, useExisting: PushDispatcher },
    { provide: PUSH_MUTES, useClass: PreferencePushMutes },
  ],
  exports: [PUSH_DISPATCH],
})
export class PushModule {}
