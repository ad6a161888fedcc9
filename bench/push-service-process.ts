/**
 * The `--push-offline` push service as a process of its own (started by PushSink under
 * `nice -n 19`): the tests' TestPushService, which verifies VAPID on every push and decrypts
 * one push in DECRYPT_EVERY. In a deployment the push service is someone else's machine; here
 * it shares two cores with Herald and the load generator, and decrypting costs about what
 * encrypting does, so it runs at the lowest priority, decrypts a sample (every push's framing
 * is checked, and each is identified by its `Topic`, which Herald sets to the notification id),
 * and reports what it received over IPC, where the generator's sockets and timers never wait
 * for it.
 *
 * IPC: → { ready, origin, certPem }; ← { subscribe, id } → { subscription, id, subscription };
 * → { pushes: [...] } every FLUSH_MS while pushes arrive.
 */
import { TestPushService } from '../test/support/push-service';

export interface ReceivedRecord {
  path: string;
  at: number;
  /** The `Topic` header: the notification id without dashes. */
  topic?: string;
  /** `data.i` of the payload, when this push was decrypted. */
  index?: number;
  problem: string | null;
}

export type ServiceMessage =
  | { type: 'ready'; origin: string; certPem: string }
  | { type: 'subscription'; id: number; subscription: unknown }
  | { type: 'pushes'; records: ReceivedRecord[] };

export type ServiceRequest = { type: 'subscribe'; id: number };

const FLUSH_MS = 50;
/** One push in this many is decrypted (and its payload checked against its Topic). */
export const DECRYPT_EVERY = 10;

async function main(): Promise<void> {
  const [publicKey, subject] = process.argv.slice(2);
  const service = await TestPushService.start(publicKey, subject, {
    decryptEvery: DECRYPT_EVERY,
  });
  const send = (message: ServiceMessage) => process.send?.(message);
  setInterval(() => {
    if (service.received.length === 0) return;
    // Taken out, not copied: a long run would otherwise keep every push's headers.
    const records = service.received.splice(0).map((push): ReceivedRecord => {
      const topic = typeof push.headers.topic === 'string' ? push.headers.topic : undefined;
      let problem = push.problem ?? (topic ? null : 'no Topic header');
      let index: number | undefined;
      if (push.decrypted && push.payload && problem === null) {
        const { id, data } = push.payload as { id?: unknown; data?: { i?: unknown } };
        if (typeof id !== 'string' || id.replace(/-/g, '') !== topic) {
          problem = `Topic ${topic} is not the payload's id ${String(id)}`;
        }
        if (typeof data?.i === 'number') index = data.i;
      }
      return {
        path: push.path,
        at: push.at,
        problem,
        ...(topic ? { topic } : {}),
        ...(index !== undefined ? { index } : {}),
      };
    });
    send({ type: 'pushes', records });
  }, FLUSH_MS);
  process.on('message', (message: ServiceRequest) => {
    if (message.type === 'subscribe') {
      send({ type: 'subscription', id: message.id, subscription: service.subscription() });
    }
  });
  process.on('disconnect', () => process.exit(0));
  send({ type: 'ready', origin: service.origin, certPem: service.certPem });
}

void main();
