/** The queue dashboard is Express middleware (Bull Board), not a controller: described by hand. */
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
      'signs in with `/admin/queues/login#token=<JWT>`.',
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
    '/admin/queues/login': {
      get: {
        operationId: 'AdminQueues_login',
        tags: ['operations'],
        summary: 'Browser sign-in to the dashboard',
        description:
          'Open `/admin/queues/login#token=<JWT>`: the page keeps the token (from the fragment, ' +
          'which is never sent to a server) in a cookie for `/admin/queues` and opens the dashboard.',
        security: [],
        responses: { 200: html('The sign-in page') },
      },
    },
  };
}
