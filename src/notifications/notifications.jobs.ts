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
  /** Epoch ms when the REST call was accepted (for delivery latency). */
  acceptedAt: number;
}

export interface NotificationJobs {
  publish: PublishJobData;
}

export type NotificationJobName = keyof NotificationJobs;
