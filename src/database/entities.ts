import { NotificationCounterEntity } from '../notifications/notification-counter.entity';
import { NotificationEntity } from '../notifications/notification.entity';
import { PublicationEntity } from '../notifications/publication.entity';
import { TopicSubscriptionEntity } from '../notifications/topic-subscription.entity';
import { PushSubscriptionEntity } from '../push/push-subscription.entity';
import { TaskChangeEntity } from '../tasks/task-change.entity';
import { TaskEntity } from '../tasks/task.entity';

/** Every entity, listed explicitly so the app, the CLI and the tests load the same set. */
export const entities = [
  NotificationEntity,
  NotificationCounterEntity,
  PublicationEntity,
  TopicSubscriptionEntity,
  TaskEntity,
  TaskChangeEntity,
  PushSubscriptionEntity,
];
