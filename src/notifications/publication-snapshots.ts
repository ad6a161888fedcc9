/**
 * Freezes a large topic publish's recipients in Postgres before any part of it is stored: the
 * first run takes the topic's subscribers as they are then, every later run (a retry, a stalled
 * job run twice) gets that same list, so the same parts. Claim and copy are one statement, so
 * two runs at once cannot freeze two lists. NotificationStore deletes the snapshot once every
 * part is stored; a publication already stored completely gets no new snapshot and an empty
 * list (a repeat then loads the stored rows whole and pushes them again).
 */
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { sqlRows } from '../database/sql';
import { FREEZE_SNAPSHOT_SQL } from './notification-store.sql';

@Injectable()
export class PublicationSnapshots {
  constructor(private readonly dataSource: DataSource) {}

  /** The snapshots taken for any of these publications (a run before this one froze them). */
  async find(publicationIds: readonly string[]): Promise<Map<string, string[]>> {
    if (publicationIds.length === 0) return new Map();
    const rows = await sqlRows<{ publication_id: string; recipients: string[] }>(
      this.dataSource.manager,
      `SELECT publication_id, recipients FROM publication_snapshots
       WHERE publication_id = ANY($1::varchar[])`,
      [publicationIds],
    );
    return new Map(rows.map((row) => [row.publication_id, row.recipients]));
  }

  /** The recipients of `publicationId`, frozen from `topic`'s subscribers on its first run. */
  async freeze(publicationId: string, topic: string): Promise<string[]> {
    const manager = this.dataSource.manager;
    await sqlRows(manager, FREEZE_SNAPSHOT_SQL, [publicationId, topic]);
    const [row] = await sqlRows<{ recipients: string[] }>(
      manager,
      'SELECT recipients FROM publication_snapshots WHERE publication_id = $1',
      [publicationId],
    );
    return row?.recipients ?? [];
  }
}
