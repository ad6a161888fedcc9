/** The queue dashboard is a Fastify plugin (Bull Board), not a controller: described by hand. */
import type { OperationObject, PathsObject, ResponseObject } from '@nestjs/swagger';

type ErrorResponse = (status: number, description: string, message: string) => ResponseObject;

export function adminPaths(errorResponse: ErrorResponse): PathsObject {
  const html = (description: string): ResponseObject => ({
    description,
    content: { 'text/html': { schema: { type: 'string' } } },
  });
  const dashboard: OperationObject & { 'x-required-scope': string } = {
    operationId: 'AdminQueues_dashboard',
    tags: ['operations'],
    summary: 'Queue dashboard (Bull Board): counts, failed jobs with their errors, retry',
    description:
      'Needs the `admin` scope. Its JSON API lives under `/admin/queues/api` (e.g. ' +
      '`PUT /admin/queues/api/queues/{queue}/{jobId}/retry`) with the same auth. A browser ' +
      'signs in at `/admin/queues/login` (a short HttpOnly session cookie); changes made with ' +
      'that cookie are accepted only from the dashboard’s own origin (403 otherwise).',
    'x-required-scope': 'admin',
    security: [{ bearer: [] }],
    responses: {
      200: html('The dashboard'),
      401: errorResponse(401, 'Missing, invalid or expired token', 'invalid or expired token'),
      403: errorResponse(
        403,
        'The token lacks the `admin` scope',
        "this endpoint needs the 'admin' scope",
      ),
    },
  };
  return {
    '/admin/queues': { get: dashboard },
  };
}
