/** Topics: opened and filled by a service; a user (un)subscribes themselves. */
import { path, type HttpTransport } from './http-transport';
import type { TopicView } from './types';

export class TopicsApi {
  constructor(private readonly http: HttpTransport) {}

  /** Creates the topic or changes whether users may subscribe themselves (a service). */
  set(topic: string, settings: { selfSubscribe: boolean }): Promise<TopicView> {
    return this.http.call('PUT', path`/v1/topics/${topic}`, { body: settings });
  }

  /** A HeraldError 404 when the topic does not exist (a service). */
  get(topic: string): Promise<TopicView> {
    return this.http.call('GET', path`/v1/topics/${topic}`);
  }

  /** Subscribes users (creating the topic); answers how many were not subscribed before. */
  async addSubscribers(topic: string, userIds: string[]): Promise<number> {
    const answer = await this.http.call<{ added: number }>(
      'PUT',
      path`/v1/topics/${topic}/subscribers`,
      { body: { userIds } },
    );
    return answer.added;
  }

  async removeSubscriber(topic: string, userId: string): Promise<void> {
    await this.http.call('DELETE', path`/v1/topics/${topic}/subscribers/${userId}`);
  }

  /** The caller's topics (a user). */
  async mine(): Promise<string[]> {
    return (await this.http.call<{ topics: string[] }>('GET', '/v1/me/topics')).topics;
  }

  /** Only a topic a service opened (`selfSubscribe`); else a HeraldError 403. */
  async subscribe(topic: string): Promise<void> {
    await this.http.call('PUT', path`/v1/me/topics/${topic}`);
  }

  async unsubscribe(topic: string): Promise<void> {
    await this.http.call('DELETE', path`/v1/me/topics/${topic}`);
  }
}
