/**
 * Test data, made through the API as a service or a user would make it: users (unique per
 * suite), publications, inboxes seeded and waited for, tasks, topics. Mixed into the handle of
 * `useTestApp()` (use-test-app.ts), which supplies the clients.
 */
import type {
  CreateTaskRequest,
  HeraldClient,
  NotificationView,
  PublishAccepted,
  PublishRequest,
  TaskView,
  TopicView,
} from '../../src/client';
import { eventually } from './test-app';
import type { TokenOptions } from './tokens';

/** Who a publication goes to: one user, several, or a topic's subscribers. */
export type Recipients = string | string[] | { topic: string };

/** A publish body: type `test.message`, title `Hello`, unless `overrides` say otherwise. */
export function notificationBody(
  to: Recipients,
  overrides: Partial<PublishRequest> = {},
): PublishRequest {
  const target =
    typeof to === 'string' ? { userIds: [to] } : Array.isArray(to) ? { userIds: to } : to;
  return { type: 'test.message', title: 'Hello', ...target, ...overrides };
}

/** A task body: title `A task`, unless `overrides` say otherwise. */
export function taskBody(overrides: Partial<CreateTaskRequest> = {}): CreateTaskRequest {
  return { title: 'A task', ...overrides };
}

export abstract class Factories {
  private users = 0;

  /** A service client (scope notifications:write). */
  abstract readonly service: HeraldClient;
  abstract as(userId: string, options?: TokenOptions): HeraldClient;

  /** A user id no other test of the suite has: `alice-3`. */
  user(name = 'user'): string {
    return `${name}-${++this.users}`;
  }

  /** Publishes one notification as the service (202 or a HeraldError). */
  publish(to: Recipients, overrides: Partial<PublishRequest> = {}): Promise<PublishAccepted> {
    return this.service.publish(notificationBody(to, overrides));
  }

  /**
   * Publishes `count` notifications to `userId` (titles `n1`…, one publish each, in order) and
   * resolves once all are stored: the user's notifications, newest first.
   */
  async seed(
    userId: string,
    count: number,
    overrides: Partial<PublishRequest> = {},
  ): Promise<NotificationView[]> {
    for (let i = 1; i <= count; i++) await this.publish(userId, { title: `n${i}`, ...overrides });
    return this.stored(userId, count);
  }

  /** Resolves once `userId` has at least `count` notifications (any view), newest first. */
  stored(userId: string, count: number, timeoutMs = 10_000): Promise<NotificationView[]> {
    const user = this.as(userId);
    return eventually(
      async () => {
        const page = await user.inbox.list({ view: 'all', limit: 100 });
        return page.items.length >= count ? page.items : null;
      },
      timeoutMs,
      `${count} notifications of ${userId}`,
    );
  }

  /** A task created by `ownerId` (as that user). */
  task(ownerId: string, overrides: Partial<CreateTaskRequest> = {}): Promise<TaskView> {
    return this.as(ownerId).tasks.create(taskBody(overrides));
  }

  /** A topic with these subscribers (none: just opened), as the service. */
  async topic(
    topic: string,
    subscribers: string[] = [],
    settings: { selfSubscribe?: boolean } = {},
  ): Promise<TopicView> {
    if (settings.selfSubscribe !== undefined || subscribers.length === 0) {
      await this.service.topics.set(topic, { selfSubscribe: settings.selfSubscribe ?? false });
    }
    if (subscribers.length) await this.service.topics.addSubscribers(topic, subscribers);
    return this.service.topics.get(topic);
  }
}
