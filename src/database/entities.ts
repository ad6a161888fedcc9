import { NotificationCounterEntity } from '../notifications/notification-counter.entity';
import { NotificationEntity } from '../notifications/notification.entity';
import { PublicationSnapshotEntity } from '../notifications/publication-snapshot.entity';
import { PublicationEntity } from '../notifications/publication.entity';
import { TopicEntity } from '../notifications/topic.entity';
import { UserTopicCountEntity } from '../notifications/user-topic-count.entity';
import { TopicSubscriptionEntity } from '../notifications/topic-subscription.entity';
import { TaskAssignmentEntity } from '../tasks/task-assignment.entity';
import { TaskChangeEntity } from '../tasks/task-change.entity';
import { TaskHandbackEntity } from '../tasks/task-handback.entity';
import { TaskEntity } from '../tasks/task.entity';

/** Every entity, listed explicitly so the app, the CLI and the tests load the same set. */
export const entities = [
  NotificationEntity,
  NotificationCounterEntity,
  PublicationEntity,
  TopicSubscriptionEntity,
  TaskEntity,
  TaskChangeEntity,
  TopicEntity,
  UserTopicCountEntity,
  PublicationSnapshotEntity,
  TaskHandbackEntity,
  TaskAssignmentEntity,
];
