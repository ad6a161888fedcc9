/** The inbox queue: snooze wake-ups and the retention sweep, names and payloads in one map. */
export const INBOX_QUEUE = 'inbox';

/** A snooze, as it was when scheduled: it wakes the row only if the row still has this time. */
export interface SnoozeWakeJob {
  userId: string;
  notificationId: string;
  until: string;
}

export interface InboxJobs {
  'snooze.wake': SnoozeWakeJob;
  /** Repeatable: retention, and waking snoozes whose job was lost (Redis without AOF). */
  maintenance: Record<string, never>;
}

export type InboxJobName = keyof InboxJobs;

/** Deterministic: moving a snooze cancels the id of its old time, whoever scheduled it. */
export const snoozeJobId = (notificationId: string, untilMs: number): string =>
  `snooze-${notificationId}-${untilMs}`;

export const MAINTENANCE_JOB_ID = 'inbox-maintenance';
