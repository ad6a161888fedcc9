/**
 * Herald's Prometheus metrics. Each app has its own registry (the e2e tests run several apps in
 * one process). Names follow Prometheus conventions (`_total` counters, base units: seconds);
 * label values come from small fixed sets, never from user ids, topics or URLs.
 */
import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { withTimeout } from '../queues/with-timeout';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { QueueDiscovery } from './queue-discovery';

type HandshakeRejection = 'unauthorized' | 'forbidden_origin' | 'too_many_connections';
/**
 * The `done` of `ws`'s async `verifyClient`: a refusal is answered with `message` as its body,
 * `headers`, `Connection: close` and its Content-Length.
 */
export type VerifyDone = (
  ok: boolean,
  code?: number,
  message?: string,
  headers?: Record<string, string>,
) => void;

const QUEUE_STATES = ['waiting', 'active', 'delayed', 'failed', 'completed'] as const;

@Injectable()
export class MetricsService implements OnModuleDestroy {
  private readonly logger = new Logger(MetricsService.name);
  readonly registry = new Registry();
  private readonly handshakesInProgress: Gauge;
  private readonly handshakesAccepted: Counter;
  private readonly handshakesRejected: Counter<'reason'>;
  private readonly framesReceived: Counter;
  private readonly framesSent: Counter;
  private readonly slowConsumers: Counter;
  private readonly published: Counter;
  private readonly delivered: Counter;
  private readonly deliveryLatency: Histogram;
  private readonly storeLatency: Histogram;
  /** What herald_ws_connections reads at each scrape; see `countConnectionsWith`. */
  private openConnections: () => number = () => 0;
  readonly httpRequests: Counter<'method' | 'route' | 'status'>;
  readonly httpDuration: Histogram<'method' | 'route'>;

  constructor(queues: QueueDiscovery, @Inject(APP_CONFIG) config: AppConfig) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    const openConnections = () => this.openConnections();
    new Gauge({
      name: 'herald_ws_connections',
      help: 'Open WebSocket connections on this instance.',
      registers,
      collect() {
        this.set(openConnections());
      },
    });
    this.handshakesInProgress = new Gauge({
      name: 'herald_ws_handshakes_in_progress',
      help: 'WebSocket upgrades being authenticated right now (connecting).',
      registers,
    });
    this.handshakesAccepted = new Counter({
      name: 'herald_ws_handshakes_accepted_total',
      help: 'WebSocket upgrades accepted.',
      registers,
    });
    this.handshakesRejected = new Counter({
      name: 'herald_ws_handshakes_rejected_total',
      help: 'WebSocket connections refused, by reason (too_many_connections closes right after the upgrade).',
      labelNames: ['reason'],
      registers,
    });
    for (const reason of ['unauthorized', 'forbidden_origin', 'too_many_connections']) {
      this.handshakesRejected.inc({ reason }, 0);
    }
    this.framesReceived = new Counter({
      name: 'herald_ws_frames_received_total',
      help: 'WebSocket frames received from clients.',
      registers,
    });
    this.framesSent = new Counter({
      name: 'herald_ws_frames_sent_total',
      help: 'WebSocket frames written to client sockets.',
      registers,
    });
    this.slowConsumers = new Counter({
      name: 'herald_ws_slow_consumer_closes_total',
      help: 'Sockets closed with 1013 because their send buffer went over WS_MAX_BUFFERED_BYTES.',
      registers,
    });
    this.published = new Counter({
      name: 'herald_notifications_published_total',
      help: 'Notifications stored by publish jobs on this instance (one per recipient).',
      registers,
    });
    this.delivered = new Counter({
      name: 'herald_notifications_delivered_total',
      help: 'Notifications handed to a socket on this instance (one per socket).',
      registers,
    });
    this.deliveryLatency = new Histogram({
      name: 'herald_notification_delivery_latency_seconds',
      help: 'Time from a notification being stored to its frame being handed to a socket.',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers,
    });
    this.storeLatency = new Histogram({
      name: 'herald_publish_store_latency_seconds',
      help: 'Time from a publish being accepted (202) to its rows being stored: the queue wait.',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers,
    });
    const commandTimeoutMs = config.redis.commandTimeoutMs;
    const logger = this.logger;
    new Gauge({
      name: 'herald_queue_jobs',
      help: 'Jobs per queue and state (absent while the queue is unreachable).',
      labelNames: ['queue', 'state'],
      registers,
      async collect() {
        this.reset();
        await Promise.all(
          queues.all().map(async (queue) => {
            if (queue.client.status !== 'ready') return;
            try {
              const counts = await withTimeout(queue.getJobCounts(), commandTimeoutMs);
              for (const state of QUEUE_STATES)
                this.set({ queue: queue.name, state }, counts[state]);
            } catch (error) {
              logger.warn(`queue ${queue.name} counts unavailable: ${(error as Error).message}`);
            }
          }),
        );
      },
    });
    this.httpRequests = new Counter({
      name: 'herald_http_requests_total',
      help: 'HTTP requests answered, by method, route pattern and status code.',
      labelNames: ['method', 'route', 'status'],
      registers,
    });
    this.httpDuration = new Histogram({
      name: 'herald_http_request_duration_seconds',
      help: 'HTTP request duration, by method and route pattern.',
      labelNames: ['method', 'route'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
  }

  onModuleDestroy(): void {
    this.registry.clear();
  }

  /**
   * The source of herald_ws_connections: realtime hands in its registry's size, so metrics
   * depends on nothing of realtime.
   */
  countConnectionsWith(count: () => number): void {
    this.openConnections = count;
  }

  /** Wraps a `verifyClient` callback: counts the upgrade as connecting until it is answered. */
  trackHandshake<T extends VerifyDone>(done: T): T {
    this.handshakesInProgress.inc();
    let answered = false;
    const tracked: VerifyDone = (ok, code, message, headers) => {
      if (!answered) {
        answered = true;
        this.handshakesInProgress.dec();
        if (ok) this.handshakesAccepted.inc();
        else this.handshakeRejected(code === 403 ? 'forbidden_origin' : 'unauthorized');
      }
      done(ok, code, message, headers);
    };
    return tracked as T;
  }

  handshakeRejected(reason: HandshakeRejection): void {
    this.handshakesRejected.inc({ reason });
  }

  frameReceived(): void {
    this.framesReceived.inc();
  }

  frameSent(): void {
    this.framesSent.inc();
  }

  slowConsumerClosed(): void {
    this.slowConsumers.inc();
  }

  /** A publish accepted at `acceptedAt` (epoch ms) has just been stored (or a part of it). */
  publicationStored(acceptedAt: number): void {
    this.storeLatency.observe(Math.max(0, Date.now() - acceptedAt) / 1000);
  }

  notificationsPublished(count: number): void {
    if (count > 0) this.published.inc(count);
  }

  /** `sockets` frames of a notification stored at `storedAt` (epoch ms) were handed to sockets. */
  notificationDelivered(storedAt: number | undefined, sockets: number): void {
    if (sockets <= 0) return;
    this.delivered.inc(sockets);
    if (storedAt === undefined) return;
    const seconds = Math.max(0, Date.now() - storedAt) / 1000;
    for (let i = 0; i < sockets; i++) this.deliveryLatency.observe(seconds);
  }
}
