/**
 * `/v1/stream` from a browser origin outside ALLOWED_ORIGINS gets 403 before the stream starts,
 * the rule of the WebSocket upgrade. (The per-user connection cap is decided by admission in
 * the handler: 429 with Retry-After, where `/ws` closes with 1008.) Runs after the JWT guard.
 */
import {
  CanActivate,
  ExecutionContext,
  ForbiddenException,
  Inject,
  Injectable,
} from '@nestjs/common';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { MetricsService } from '../metrics/metrics.service';

@Injectable()
export class SseOriginGuard implements CanActivate {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly metrics: MetricsService,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<{ headers: Record<string, unknown> }>();
    const origin = request.headers['origin'];
    const allowed = this.config.allowedOrigins;
    if (allowed && typeof origin === 'string' && !allowed.includes(origin)) {
      this.metrics.handshakeRejected('forbidden_origin');
      throw new ForbiddenException('origin not allowed');
    }
    return true;
  }
}
