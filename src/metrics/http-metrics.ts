/**
 * Counts and times every HTTP request by its route pattern (never the raw URL: ids stay out),
 * from an `onResponse` hook of the HTTP server: one call per request, after the answer is sent,
 * timed by the server's own clock (`reply.elapsedTime`).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ADMIN_PATH } from '../admin/admin-login.page';
import type { MetricsService } from './metrics.service';

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

export function installHttpMetrics(fastify: FastifyInstance, metrics: MetricsService): void {
  fastify.addHook('onResponse', (request, reply, done) => {
    const method = METHODS.has(request.method) ? request.method : 'OTHER';
    const route = routeOf(request);
    metrics.httpRequests.inc({ method, route, status: String(reply.statusCode) });
    metrics.httpDuration.observe({ method, route }, reply.elapsedTime / 1000);
    done();
  });
}

/** The matched route's pattern (`/v1/notifications/:id/read`), or a fixed stand-in. */
function routeOf(request: FastifyRequest): string {
  const pattern = request.routeOptions.url;
  if (pattern === undefined) return 'unmatched'; // the not-found handler
  // The dashboard's and Swagger UI's own routes (assets, API) count as one each.
  if (pattern === ADMIN_PATH || pattern.startsWith(`${ADMIN_PATH}/`)) return ADMIN_PATH;
  if (pattern === '/docs' || pattern.startsWith('/docs/')) {
    return pattern === '/docs/asyncapi.json' ? pattern : '/docs';
  }
  return pattern;
}
