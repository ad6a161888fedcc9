/**
 * Storage of published notifications, in set-based SQL: a publish to 10,000 users, or a batch
 * of hundreds of publishes, is one statement, not one of anything per row.
 *
 * Seq assignment: each recipient's counter row in `notification_counters` is bumped by an
 * upsert (by as many notifications as the batch holds for that user), which holds that row's
 * lock until the transaction commits. A second transaction for the same user waits for the
 * first to commit before it gets the next seqs, so per user, seq order is commit order and seqs
 * are dense: a client that saw seq N can never later miss a row < N. Within a batch a user's
 * seqs follow the batch's order (the order the publishes were accepted). Counters and claims
 * are locked in sorted order, so two concurrent batches cannot deadlock.
 *
 * Exactly once: every statement claims a `publications` row first and stores only what it
 * claimed, so a publication (or a part of one) is stored once however often its job runs.
 * A large publication (over PARTS_ABOVE recipients) is stored in parts (publication-parts.ts):
 * its own row says `in-parts` (ClaimState) until every part is stored, which also keeps a repeat
 * from storing it whole; then it says `complete`, and a repeat loads the rows instead.
 *
 * The SQL is in notification-store.sql.ts, the cutting into parts in publication-parts.ts.
 */
import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { sqlRows } from '../database/sql';
import {
  CLAIM_IN_PARTS_SQL,
  CLAIM_STATE_SQL,
  claimStateOf,
  COMPLETE_PARTS_SQL,
  DROP_SNAPSHOT_SQL,
  LOAD_PUBLICATION_SQL,
  STORE_SQL,
  storeParams,
  SUBSCRIBERS_SQL,
  type LoadedRow,
  type StatementRow,
} from './notification-store.sql';
import { PreferencesService } from './preferences/preferences.service';
import type { PublishTarget } from './notifications.jobs';
import { toStoredBefore, toStoredRecipient } from './notification.mapper';
import type { NotificationContent, StoredPublication } from './notification.types';
import { inPool, partsOf, type Part } from './publication-parts';

const DEADLOCK = '40P01';
const MAX_DEADLOCK_RETRIES = 3;
/**
 * Parts of one publication stored at once. Two keep Postgres inserting the next part while
 * this process pushes the last one; the bound keeps one large publication to two pooled
 * connections, so a few of them at once (QUEUE_CONCURRENCY jobs) leave connections for the API.
 */
const PARTS_IN_FLIGHT = 2;

/** One publish to store: its id (the `jobId` the API answered), to whom, what (and who sent it). */
export interface PublicationInput {
  publicationId: string;
  target: PublishTarget;
  content: NotificationContent;
  /** The recipients when already known (a topic's subscribers as resolved), else the target's. */
  recipients?: readonly string[];
}

/** What one claim in a statement stores: a publication whole, or one part of a large one. */
type Unit = { kind: 'whole'; publication: PublicationInput } | ({ kind: 'part' } & PartOf);

interface PartOf extends Part {
  publication: PublicationInput;
}

type InsertedRow = Extract<StatementRow, { kind: 'row' }>;

/** What the statement did: rows by the claim's place in the batch, claims by id, mutes. */
interface Inserted {
  rows: Map<number, InsertedRow[]>;
  claimed: Map<string, Date>;
  muted: Map<number, number>;
}

@Injectable()
export class NotificationStore {
  constructor(
    private readonly dataSource: DataSource,
    private readonly preferences: PreferencesService,
  ) {}

  /**
   * Stores one row per recipient for each publication, once, in one statement (so one
   * transaction and one round trip). A publication that was already stored (a retried job, a
   * stalled job run twice, a repeated idempotency key) gets `created: false` and the rows it
   * stored before, and nothing new is written. Answers in input order; a publication id given
   * twice is stored once and answered twice.
   */
  storeBatch(publications: readonly PublicationInput[]): Promise<StoredPublication[]> {
    return this.store(publications.map((publication): Unit => ({ kind: 'whole', publication })));
  }

  /**
   * Stores a large publication in parts, handing each part to `onPart` as soon as it is
   * committed. If it was stored before, whole or some of its parts, `onPart` also gets what was
   * stored before (created: false), for pushing again.
   */
  async storeInParts(
    publication: PublicationInput,
    recipients: readonly string[],
    onPart: (part: StoredPublication) => void,
  ): Promise<void> {
    const id = publication.publicationId;
    const manager = this.dataSource.manager;
    const [claim] = await sqlRows(manager, CLAIM_IN_PARTS_SQL, [id, publication.content.publisher]);
    if (!claim) {
      const [row] = await sqlRows<{ recipients: number }>(manager, CLAIM_STATE_SQL, [id]);
      if (row && claimStateOf(row.recipients).kind === 'complete') {
        onPart(await this.loadPublication(manager, id)); // stored whole by an earlier run
        return;
      }
    }
    const parts = partsOf(id, recipients);
    let storedBefore = false;
    // Parts hold disjoint users, so they may commit in any order (no seq depends on another).
    await inPool(parts, PARTS_IN_FLIGHT, async (part) => {
      const [stored] = await this.store([{ kind: 'part', publication, ...part }]);
      if (stored.created) onPart(stored);
      else storedBefore = true;
    });
    // Parts an earlier run stored are pushed again too: all of them, loaded in one query.
    if (storedBefore) onPart(await this.loadPublication(manager, id));
    // The frozen recipients (PublicationSnapshots) are not needed once the claim is complete.
    const count = parts.reduce((n, part) => n + part.recipients.length, 0);
    await this.dataSource.transaction(async (tx) => {
      await sqlRows(tx, COMPLETE_PARTS_SQL, [id, count]);
      await sqlRows(tx, DROP_SNAPSHOT_SQL, [id]);
    });
  }

  /** Current subscribers of the topics the batch publishes to (one query, none if no topic). */
  async subscribersOf(publications: readonly PublicationInput[]): Promise<Map<string, string[]>> {
    const topics = [
      ...new Set(publications.flatMap((p) => ('topic' in p.target ? [p.target.topic] : []))),
    ];
    const subscribers = new Map<string, string[]>(topics.map((topic) => [topic, []]));
    if (topics.length === 0) return subscribers;
    const rows = await sqlRows<{ topic: string; user_id: string }>(
      this.dataSource.manager,
      SUBSCRIBERS_SQL,
      [topics],
    );
    for (const row of rows) subscribers.get(row.topic)?.push(row.user_id);
    return subscribers;
  }

  /** Stores the units in one statement; answers each unit, in order (see storeBatch). */
  private async store(units: readonly Unit[]): Promise<StoredPublication[]> {
    const unique = [...new Map(units.map((unit) => [claimIdOf(unit), unit])).values()];
    const { rows, claimed, muted } = await this.insert(unique);
    const results = new Map<string, StoredPublication>();
    let mutedStored = 0;
    for (const [ord, unit] of unique.entries()) {
      const { content, publicationId } = unit.publication;
      const createdAt = claimed.get(claimIdOf(unit));
      let result: StoredPublication;
      if (createdAt) {
        mutedStored += muted.get(ord) ?? 0;
        result = {
          created: true,
          createdAt: createdAt.toISOString(),
          content,
          recipients: (rows.get(ord) ?? []).map(toStoredRecipient),
          muted: muted.get(ord) ?? 0,
        };
      } else if (unit.kind === 'part') {
        // Its rows are under the publication's id with the other parts': storeInParts loads them.
        result = { created: false, createdAt: new Date().toISOString(), content, recipients: [] };
      } else {
        result = await this.loadPublication(this.dataSource.manager, publicationId);
      }
      results.set(claimIdOf(unit), result);
    }
    this.preferences.countMutedInApp(mutedStored);
    return units.map((unit) => results.get(claimIdOf(unit)) as StoredPublication);
  }

  /**
   * Runs STORE_SQL for the units (recipients listed, or a topic's current subscribers, minus
   * those muting the type in-app), retried on a deadlock: nothing of a failed run stayed.
   */
  private async insert(units: readonly Unit[]): Promise<Inserted> {
    const subscribers = await this.subscribersOf(
      units.flatMap((u) =>
        u.kind === 'whole' && !u.publication.recipients ? [u.publication] : [],
      ),
    );
    const ords: number[] = [];
    const userIds: string[] = [];
    units.forEach((unit, ord) => {
      for (const userId of new Set(recipientsOf(unit, subscribers))) {
        ords.push(ord);
        userIds.push(userId);
      }
    });
    // Preferences: recipients muting the type in-app get no row, seq or count (one lookup).
    const contents = units.map((unit) => unit.publication.content);
    const muted = await this.preferences.dropMutedInApp(contents, ords, userIds);
    const claims = units.map((unit) => ({
      claimId: claimIdOf(unit),
      publicationId: unit.publication.publicationId,
      content: unit.publication.content,
    }));
    const params = storeParams(claims, ords, userIds);
    for (let attempt = 0; ; attempt++) {
      try {
        const statementRows = await sqlRows<StatementRow>(
          this.dataSource.manager,
          STORE_SQL,
          params,
        );
        const inserted: Inserted = { rows: new Map(), claimed: new Map(), muted };
        for (const row of statementRows) {
          if (row.kind === 'claim') inserted.claimed.set(row.job_id, row.created_at);
          else if (inserted.rows.has(row.ord)) inserted.rows.get(row.ord)?.push(row);
          else inserted.rows.set(row.ord, [row]);
        }
        return inserted;
      } catch (error) {
        if ((error as { code?: string }).code !== DEADLOCK || attempt >= MAX_DEADLOCK_RETRIES) {
          throw error;
        }
      }
    }
  }

  /** What an earlier run stored for publication `jobId` (created: false), for pushing again. */
  private async loadPublication(manager: EntityManager, jobId: string): Promise<StoredPublication> {
    return toStoredBefore(await sqlRows<LoadedRow>(manager, LOAD_PUBLICATION_SQL, [jobId]));
  }
}

/** The `publications` row a unit claims: a part has its own (`<id>#<k>`). */
function claimIdOf(unit: Unit): string {
  return unit.kind === 'part' ? unit.claimId : unit.publication.publicationId;
}

function recipientsOf(unit: Unit, subscribers: Map<string, string[]>): readonly string[] {
  if (unit.kind === 'part') return unit.recipients;
  const { recipients, target } = unit.publication;
  return (
    recipients ?? ('userIds' in target ? target.userIds : (subscribers.get(target.topic) ?? []))
  );
}
