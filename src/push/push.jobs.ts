/** The `push` queue: its one job and its payload. */
export const PUSH_QUEUE = 'push';

/** Recipients per push job. */
export const PUSH_BATCH_SIZE = 100;

export interface PushRecipient {
  userId: string;
  /** The notification's id and seq (one row per recipient). */
  id: string;
  seq: number;
}

export interface PushBatchJobData {
  /** The first job's id: the claim on each notification and the follow-ups' id prefix. */
  key: string;
  /** 0 for the first run; a follow-up (after 429/5xx/timeouts) counts up. */
  attempt: number;
  content: { type: string; title: string; body: string; data: Record<string, unknown> };
  createdAt: string;
  critical: boolean;
  recipients: PushRecipient[];
  /** On a follow-up: the subscriptions still to send to, by notification id. */
  pending?: Record<string, string[]>;
}

export interface PushJobs {
  'push-batch': PushBatchJobData;
}
