import type { MigrationInterface } from 'typeorm';
import { Init1795248210485 } from './1795248210485-Init';
import { UnreadCount1795252582248 } from './1795252582248-UnreadCount';
import { Tasks1795249282080 } from './1795249282080-Tasks';
import { TopicAccessPublisher1796160712529 } from './1796160712529-TopicAccessPublisher';
import { InboxLifecycle1796160778549 } from './1796160778549-InboxLifecycle';
import { PushSubscriptions1796160833729 } from './1796160833729-PushSubscriptions';

/** Every migration, in order. `npm run migration:generate` writes a file; add its class here. */
export const migrations: (new () => MigrationInterface)[] = [
  Init1795248210485,
  Tasks1795249282080,
  UnreadCount1795252582248,
  TopicAccessPublisher1796160712529,
  InboxLifecycle1796160778549,
  PushSubscriptions1796160833729,
];
