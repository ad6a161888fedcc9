/**
 * METRICS_TOKEN: when set, GET /metrics answers only `Authorization: Bearer <METRICS_TOKEN>`
 * (401 otherwise). Metrics name routes, queue depths and client trouble: not for everyone.
 * The comparison is of SHA-256 digests with timingSafeEqual, so its time says nothing about
 * the token, not even its length.
 */
import {
  CanActivate,
  ExecutionContext,
  Inject,
  Injectable,
  UnauthorizedException,
  UseGuards,
} from '@nestjs/common';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';

const BEARER = /^Bearer\s+(\S+)$/i;
const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

@Injectable()
class MetricsTokenGuard implements CanActivate {
  private readonly expected?: Buffer;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    if (config.metricsToken) this.expected = digest(config.metricsToken);
  }

  canActivate(context: ExecutionContext): boolean {
    if (!this.expected) return true;
    const request = context
      .switchToHttp()
      .getRequest<{ headers: Record<string, string | string[] | undefined> }>();
    const header = request.headers['authorization'];
    const given = typeof header === 'string' ? BEARER.exec(header)?.[1] : undefined;
    if (given !== undefined && timingSafeEqual(digest(given), this.expected)) return true;
    throw new UnauthorizedException('GET /metrics needs Authorization: Bearer <METRICS_TOKEN>');
  }
}

/** The route needs METRICS_TOKEN when one is configured. */
export const RequireMetricsToken = () => UseGuards(MetricsTokenGuard);
