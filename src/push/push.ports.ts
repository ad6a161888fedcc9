/**
 * What Web Push needs from the rest of the app, as injection tokens: the store-and-push step
 * calls PUSH_DISPATCH with what it stored; PUSH_MUTES answers who muted `push` for a type.
 */
export const PUSH_DISPATCH = Symbol('PUSH_DISPATCH');
export const PUSH_MUTES = Symbol('PUSH_MUTES');

/** A stored notification's content, as the store hands it over (`StoredPublication` fits). */
export interface PushablePublication {
  createdAt: string;
  content: {
    type: string;
    title: string;
    body: string;
    data: Record<string, unknown>;
    /** Critical notifications ignore mutes and go out with `Urgency: high`. */
    critical?: boolean;
  };
  recipients: readonly { userId: string; id: string; seq: number }[];
}

export interface PushDispatch {
  /** Queues a push to each recipient who has a subscription, no open connection, no mute. */
  dispatch(publications: readonly PushablePublication[]): Promise<void>;
}

export interface PushMutes {
  /** Those of `userIds` whose preferences mute `push` for notifications of `type`. */
  mutedUserIds(userIds: readonly string[], type: string): Promise<Set<string>>;
}
