/** REST helpers for the inbox lifecycle suites: publish, list views, act as a user. */
import request from 'supertest';
import type { NotificationView } from '../../src/notifications/notification.types';
import type { TestApp } from './test-app';
import { eventually } from './test-app';
import { serviceToken, tokenFor } from './tokens';

export interface Page {
  items: NotificationView[];
  nextBefore: number | null;
}

export function inboxClient(app: () => TestApp) {
  const service = `Bearer ${serviceToken()}`;
  const as = (user: string) => `Bearer ${tokenFor(user)}`;
  const client = {
    publish: (body: Record<string, unknown>) =>
      request(app().url).post('/v1/notifications').set('Authorization', service).send(body),
    async list(user: string, query = ''): Promise<Page> {
      const response = await request(app().url)
        .get(`/v1/notifications${query}`)
        .set('Authorization', as(user));
      if (response.status !== 200) throw new Error(`list: ${response.status} ${response.text}`);
      return response.body as Page;
    },
    async unread(user: string): Promise<number> {
      const response = await request(app().url)
        .get('/v1/notifications/unread-count')
        .set('Authorization', as(user));
      return (response.body as { count: number }).count;
    },
    post: (user: string, path: string, body?: unknown) =>
      request(app().url)
        .post(`/v1/notifications${path}`)
        .set('Authorization', as(user))
        .send(body as object),
    del: (user: string, path: string) =>
      request(app().url).delete(`/v1/notifications${path}`).set('Authorization', as(user)),
    /** Publishes `count` notifications to `user` (one publish each) and waits until stored. */
    async seed(user: string, count: number, body: Record<string, unknown> = {}) {
      for (let i = 1; i <= count; i++) {
        const response = await client.publish({
          userIds: [user],
          type: 't.x',
          title: `n${i}`,
          ...body,
        });
        if (response.status !== 202) throw new Error(`publish: ${response.status}`);
      }
      return eventually(
        async () => {
          const page = await client.list(user, '?view=all&limit=100');
          return page.items.length >= count ? page.items : null;
        },
        10_000,
        `${count} rows for ${user}`,
      );
    },
  };
  return client;
}
