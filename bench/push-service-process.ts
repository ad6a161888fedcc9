/**
 * The `--push-offline` push service as a process of its own (started by PushSink under
 * `nice -n 19`): the tests' TestPushService, which verifies VAPID and decrypts every push.
 * In a deployment the push service is someone else's machine; here it shares two cores with
 * Herald and the load generator, and decrypting costs about what encrypting does, so it runs
 * at the lowest priority and reports what it received over IPC, where the generator's
 * sockets and timers never wait for it.
 *
 * IPC: → { ready, origin, certPem }; ← { subscribe, id } → { subscription, id, subscription };
 * → { pushes: [...] } every FLUSH_MS while pushes arrive.
 */
import { TestPushService } from '../test/support/push-service';

export interface ReceivedRecord {
  path: string;
  at: number;
  /** `data.i` of the decrypted payload, when there is one. */
  index?: number;
  problem: string | null;
}

export type ServiceMessage =
  | { type: 'ready'; origin: string; certPem: string }
  | { type: 'subscription'; id: number; subscription: unknown }
  | { type: 'pushes'; records: ReceivedRecord[] };

export type ServiceRequest = { type: 'subscribe'; id: number };

const FLUSH_MS = 50;

async function main(): Promise<void> {
  const [publicKey, subject] = process.argv.slice(2);
  const service = await TestPushService.start(publicKey, subject);
  const send = (message: ServiceMessage) => process.send?.(message);
  setInterval(() => {
    if (service.received.length === 0) return;
    // Taken out, not copied: a long run would otherwise keep every push's headers.
    const records = service.received.splice(0).map((push) => {
      const index = (push.payload?.data as { i?: unknown } | undefined)?.i;
      return {
        path: push.path,
        at: push.at,
        problem: push.problem,
        ...(typeof index === 'number' ? { index } : {}),
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
