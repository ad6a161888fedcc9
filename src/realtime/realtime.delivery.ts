/** Hands bus messages to this instance's sockets. */
import { Injectable, OnModuleInit } from '@nestjs/common';
import { MetricsService } from '../metrics/metrics.service';
import { ConnectionRegistry } from './connection-registry';
import { notificationFrame } from './notification-frames';
import { encodeFrame } from './protocol';
import { RealtimeBus, type BusMessage } from './realtime.bus';

@Injectable()
export class RealtimeDelivery implements OnModuleInit {
  constructor(
    private readonly bus: RealtimeBus,
    private readonly registry: ConnectionRegistry,
    private readonly metrics: MetricsService,
  ) {}

  onModuleInit(): void {
    this.bus.onMessage((message) => this.deliver(message));
  }

  deliver(message: BusMessage): void {
    if (message.k === 'n') {
      for (const [userId, id, seq, unread] of message.r) {
        const group = this.registry.socketsOf(userId);
        if (!group) continue;
        const frame = notificationFrame(message.c, userId, id, seq);
        // A new notification changes the unread count: `unread` follows it, in the same order.
        const count = encodeFrame('unread', { count: unread });
        for (const connection of group) connection.offerNotification(seq, frame, count);
        this.metrics.notificationDelivered(message.t, group.size);
      }
      return;
    }
    if (message.k !== 'f') return; // a kind from a newer instance during a rolling upgrade
    for (const userId of message.u) {
      const group = this.registry.socketsOf(userId);
      if (!group) continue;
      for (const connection of group) connection.send(message.f);
    }
  }
}
