/**
 * The `push` queue and its jobs: `push-decide` (who of a stored batch's recipients gets a
 * push: queued by the store-and-push step, no lookups on that path) and `push-batch` (the
 * sends).
 */
export const PUSH_QUEUE = 'push';

/** Recipients per push job. */
export const PUSH_BATCH_SIZE = 100;
/** Recipients per decision job (a publication is stored in parts of at most 1,000). */
export const PUSH_DECIDE_SIZE = 1000;

export interface PushRecipient {
  userId: string;
  /** The notification's id and seq (one row per recipient). */
  id: string;
  seq: number;
  /** Index of its publication's content in the job's `contents`. */
  content: number;
}

export interface PushContent {
  type: string;
  title: string;
  body: string;
  data: Record<string, unknown>;
  createdAt: string;
  critical: boolean;
}

/**
 * One job pushes up to PUSH_BATCH_SIZE notifications, from one publication (a fanout) or from
 * many (a batch of unicasts: one job, not one per notification).
 */
export interface PushBatchJobData {
  /** The first job's id: the claim on each notification and the follow-ups' id prefix. */
  key: string;
  /** 0 for the first run; a follow-up (after 429/5xx/timeouts) counts up. */
  attempt: number;
  contents: PushContent[];
  recipients: PushRecipient[];
  /** On a follow-up: the subscriptions still to send to, by notification id. */
  pending?: Record<string, string[]>;
}

/** The shape instances before batching across publications queued: one content per job. */
interface SingleContentJobData {
  key: string;
  attempt: number;
  content: Omit<PushContent, 'createdAt' | 'critical'>;
  createdAt: string;
  critical: boolean;
  recipients: Omit<PushRecipient, 'content'>[];
  pending?: Record<string, string[]>;
}

/** A job's data in today's shape, whichever version of Herald queued it. */
export function pushJobData(data: PushBatchJobData | SingleContentJobData): PushBatchJobData {
  if ('contents' in data) return data;
  const { content, createdAt, critical, recipients, ...rest } = data;
  return {
    ...rest,
    contents: [{ ...content, createdAt, critical }],
    recipients: recipients.map((r) => ({ ...r, content: 0 })),
  };
}

/** Recipients of stored notifications, each naming its content; who gets a push is decided. */
export type PushDecideJobData = Pick<PushBatchJobData, 'key' | 'contents' | 'recipients'>;

export interface PushJobs {
  'push-decide': PushDecideJobData;
  'push-batch': PushBatchJobData;
}
