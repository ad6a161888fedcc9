/**
 * How a large publication is cut into parts (NotificationStore.storeInParts), kept apart from
 * the SQL that stores each part. Each part is stored by its own statement and pushed as soon as
 * it commits, so the first sockets get the publication after one part's insert instead of all
 * of them.
 */

/** Publications to more recipients than this are stored in parts. */
export const PARTS_ABOVE = 2000;
const PART_SIZE = 1000;

export interface Part {
  /** The part's own `publications` claim, `<publication id>#<k>`: each part is stored once. */
  claimId: string;
  recipients: string[];
}

/**
 * The parts of a publication: its distinct recipients, sorted, cut every PART_SIZE. The same
 * list always makes the same parts with the same claim ids, so a retry (or a stalled job run
 * twice) claims exactly the parts the first run claimed and stores every recipient once; callers
 * make sure a retry passes the same list (PublicationSnapshots for topics).
 */
export function partsOf(publicationId: string, recipients: readonly string[]): Part[] {
  const sorted = [...new Set(recipients)].sort();
  const parts: Part[] = [];
  for (let k = 0; k * PART_SIZE < sorted.length; k++) {
    parts.push({
      claimId: `${publicationId}#${k}`,
      recipients: sorted.slice(k * PART_SIZE, (k + 1) * PART_SIZE),
    });
  }
  return parts;
}

/**
 * Runs `task` for each item, started in order, at most `limit` at once. After a failure no new
 * task starts; it rejects with the first failure once the tasks already running have settled
 * (so nothing of it is still writing when the caller's job fails and is retried).
 */
export async function inPool<T>(
  items: readonly T[],
  limit: number,
  task: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const failures: unknown[] = [];
  // Each worker takes the next item when its last one is done: `limit` run at any moment.
  const worker = async () => {
    while (next < items.length && failures.length === 0) {
      try {
        await task(items[next++]);
      } catch (error) {
        failures.push(error);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failures.length) throw failures[0];
}
