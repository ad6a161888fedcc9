/**
 * The shapes the client sends and receives, all taken from the server's own types (type-only
 * imports: nothing of Nest is loaded at run time). One file, so a type that moves on the
 * server side is re-pointed here once.
 */
import type { PublishNotificationDto } from '../notifications/dto/publish-notification.dto';
import type { ListNotificationsQuery } from '../notifications/dto/list-notifications.query';
import type { InboxPage } from '../notifications/inbox.service';
import type { DeleteView } from '../notifications/lifecycle/inbox-lifecycle.service';
import type { PublishAccepted } from '../notifications/notifications.service';
import type { TopicView } from '../notifications/topics.service';
import type { CreateTaskDto } from '../tasks/dto/create-task.dto';
import type { DeleteTaskDto } from '../tasks/dto/delete-task.dto';
import type { ListTasksQuery } from '../tasks/dto/list-tasks.query';
import type { UpdateTaskDto } from '../tasks/dto/update-task.dto';

export type { NotificationView } from '../notifications/notification.types';
export type {
  PreferencesDocument,
  PreferencesPatch,
} from '../notifications/preferences/preferences.types';
export type { TaskPage, TaskStatus, TaskView } from '../tasks/task.types';
export type { PushSubscriptionView } from '../push/push-subscriptions.service';
export type { InboxPage, PublishAccepted, TopicView, DeleteView };

/** The body of POST /v1/notifications (exactly one of `userIds` or `topic`). */
export type PublishRequest = PublishNotificationDto;

/** GET /v1/notifications: every field optional (`limit` 20 and `view` 'inbox' by default). */
export type InboxQuery = Partial<ListNotificationsQuery>;

export type CreateTaskRequest = CreateTaskDto;
/** A PATCH of a task; `version` (or `ifMatch`) makes it conditional. */
export type UpdateTaskRequest = UpdateTaskDto;
/** The body of a task DELETE; `version` (or `ifMatch`) makes it conditional. */
export type DeleteTaskRequest = DeleteTaskDto;
export type TaskQuery = Partial<ListTasksQuery>;

export interface Updated {
  updated: number;
}
