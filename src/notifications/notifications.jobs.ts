/** The notifications queue: job names and payloads in one typed map. */
export const NOTIFICATIONS_QUEUE = 'notifications';

export type PublishTarget = { userIds: string[] } | { topic: string };

export interface PublishJobData {
  publisherId: string;
  target: PublishTarget;
  type: string;
  title: string;
  body: string;
  data: Record<string, unknown>;
  /** Ignores the recipients' preferences (absent: false). */
  critical?: boolean;
  /** Epoch ms when the REST call was accepted (for delivery latency). */
  acceptedAt: number;
}

/** One accepted publish inside a batch job; `publicationId` is the `jobId` the API answered. */
export interface BatchedPublish extends PublishJobData {
  publicationId: string;
  /**
   * A large topic publish's subscribers, as versions before `publication_snapshots` froze them
   * into the job; still honoured for such jobs. New jobs never carry it (PublicationSnapshots).
   */
  recipients?: string[];
}

/** Publishes accepted at about the same time, stored in one transaction (see PublishBatcher). */
export interface PublishBatchJobData {
  items: BatchedPublish[];
}

export interface NotificationJobs {
  /** One publish per job, its id the publication id: what versions before batching queued. */
  publish: PublishJobData;
  'publish-batch': PublishBatchJobData;
}

export type NotificationJobName = keyof NotificationJobs;
