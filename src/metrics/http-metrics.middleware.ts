/** Counts and times every HTTP request by its route pattern (never the raw URL: ids stay out). */
import { Injectable, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { MetricsService } from './metrics.service';

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

@Injectable()
export class HttpMetricsMiddleware implements NestMiddleware {
  constructor(private readonly metrics: MetricsService) {}

  use(request: Request, response: Response, next: NextFunction): void {
    const started = process.hrtime.bigint();
    response.once('finish', () => {
      const method = METHODS.has(request.method) ? request.method : 'OTHER';
      const route = routeOf(request);
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      this.metrics.httpRequests.inc({ method, route, status: String(response.statusCode) });
      this.metrics.httpDuration.observe({ method, route }, seconds);
    });
    next();
  }
}

/** The matched route's pattern (`/v1/notifications/:id/read`), or a fixed stand-in. */
function routeOf(request: Request): string {
  const route = (request as { route?: unknown }).route as { path?: unknown } | undefined;
  const path = route?.path;
  // Nest binds middleware as a catch-all route (`{/*splat}`): that is no route of the API.
  if (typeof path === 'string' && !path.includes('*')) return `${request.baseUrl}${path}`;
  if (request.originalUrl.startsWith('/admin/queues')) return '/admin/queues';
  if (request.originalUrl.startsWith('/docs')) return '/docs';
  return 'unmatched';
}
