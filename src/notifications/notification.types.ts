/** A notification as the API shows it (REST and WebSocket). */
export interface NotificationView {
  id: string;
  seq: number;
  userId: string;
  type: string;
  title: string;
  body: string;
  data: Record<string, unknown>;
  topic: string | null;
  /** Who sent it: the publishing token's `sub`; for task notifications, the acting user. */
  publisher: string;
  createdAt: string;
  readAt: string | null;
  critical: boolean;
  archivedAt: string | null;
  snoozedUntil: string | null;
}

/** What one publish carries to every recipient. */
export interface NotificationContent {
  type: string;
  title: string;
  body: string;
  data: Record<string, unknown>;
  topic: string | null;
  /** The publishing token's `sub`, or for a task notification the user whose change caused it. */
  publisher: string;
  /** Delivered whatever the recipients' preferences say. */
  critical?: boolean;
}

/** A stored row of one publish: the per-recipient part; the rest is the shared content. */
export interface StoredRecipient {
  userId: string;
  id: string;
  seq: number;
  /** The user's unread count right after this row was stored. */
  unread: number;
}

export interface StoredPublication {
  /** false when the job had already stored its rows (retry, duplicate idempotency key). */
  created: boolean;
  createdAt: string;
  content: NotificationContent;
  recipients: StoredRecipient[];
  /** Recipients left out because their preferences mute the type in-app (this run). */
  muted?: number;
}
