/** The open SSE streams of this instance, for their heartbeat comment (at most every 15 s). */
import { Inject, Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import type { SseSocket } from './sse-socket';

@Injectable()
export class SseStreams implements OnModuleInit, OnModuleDestroy {
  private readonly open = new Set<SseSocket>();
  private timer: NodeJS.Timeout | null = null;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  get size(): number {
    return this.open.size;
  }

  onModuleInit(): void {
    this.timer = setInterval(() => {
      for (const stream of this.open) stream.heartbeat();
    }, this.config.sse.heartbeatMs);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    if (this.timer) clearInterval(this.timer);
  }

  add(stream: SseSocket): void {
    this.open.add(stream);
  }

  delete(stream: SseSocket): void {
    this.open.delete(stream);
  }
}
