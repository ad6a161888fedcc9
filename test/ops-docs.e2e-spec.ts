/** The OpenAPI document describes every route the app really serves, and nothing else. */
import request from 'supertest';
import { useTestApp } from './support/use-test-app';

interface Operation {
  operationId?: string;
  security?: Record<string, string[]>[];
  responses: Record<string, { content?: Record<string, { schema?: unknown }> }>;
  parameters?: { name: string; in: string; required?: boolean }[];
  requestBody?: { required?: boolean; content: Record<string, { schema?: unknown }> };
  'x-required-scope'?: string;
}
type OpenApi = {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components: { securitySchemes: Record<string, { type: string; scheme?: string }> };
};
const herald = useTestApp();
let document: OpenApi;

/** The routes registered on the server: Nest's controllers plus anything added beside them. */
function routerRoutes(): { method: string; path: string }[] {
  const routes: { method: string; path: string }[] = [];
  for (const { method, url, hidden } of herald.app.routes) {
    // HEAD is Fastify's automatic twin of each GET; OPTIONS is the CORS preflight catch-all.
    if (method === 'HEAD' || method === 'OPTIONS') continue;
    // The dashboard's own routes (assets, its JSON API) are hidden; the spec describes the
    // entry points by hand and asks for the rest below.
    if (hidden && url.startsWith('/admin/queues')) continue;
    // swagger-ui itself: the document does not describe the page that renders it
    if (url === '/docs' || url.startsWith('/docs/') || /^\/docs-(json|yaml)$/.test(url)) {
      if (url !== '/docs/asyncapi.json') continue;
    }
    routes.push({ method: method.toLowerCase(), path: url.replace(/:(\w+)/g, '{$1}') });
  }
  return routes;
}

beforeAll(async () => {
  document = await herald.client().call<OpenApi>('GET', '/docs-json');
});

describe('GET /docs-json', () => {
  it('is an OpenAPI 3 document with the bearer scheme', () => {
    expect(document.openapi).toMatch(/^3\./);
    expect(document.components.securitySchemes['bearer']).toMatchObject({
      type: 'http',
      scheme: 'bearer',
    });
  });

  it('documents every route of the router', () => {
    const routes = routerRoutes();
    expect(routes.length).toBeGreaterThan(10);
    const missing = routes
      .filter(({ method, path }) => !document.paths[path]?.[method])
      .map(({ method, path }) => `${method.toUpperCase()} ${path}`);
    expect(missing).toEqual([]);
  });

  it('documents no route that does not exist (hand-written paths included)', async () => {
    const known = new Set(routerRoutes().map(({ method, path }) => `${method} ${path}`));
    const stale: string[] = [];
    for (const [path, operations] of Object.entries(document.paths)) {
      for (const method of Object.keys(operations)) {
        if (known.has(`${method} ${path}`)) continue;
        // The dashboard's routes are Bull Board's (hidden above): ask it instead.
        if (path.startsWith('/admin/queues')) {
          const status = (await request(herald.url).get(path)).status;
          if (status !== 404) continue;
        }
        stale.push(`${method.toUpperCase()} ${path}`);
      }
    }
    expect(stale).toEqual([]);
  });

  it('states the auth, the scope and the error answers of each operation', () => {
    for (const [path, operations] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        const name = `${method.toUpperCase()} ${path}`;
        expect([name, Array.isArray(operation.security)]).toEqual([name, true]);
        const isPublic = operation.security!.length === 0;
        if (!isPublic) {
          expect([name, operation.security]).toEqual([name, [{ bearer: [] }]]);
          expect([name, Object.keys(operation.responses)]).toEqual([
            name,
            expect.arrayContaining(['401']),
          ]);
        }
        if (operation['x-required-scope']) {
          expect([name, Object.keys(operation.responses)]).toEqual([
            name,
            expect.arrayContaining(['403']),
          ]);
        }
        if (operation.requestBody) {
          expect([name, Object.keys(operation.responses)]).toEqual([
            name,
            expect.arrayContaining(['400', '413']),
          ]);
        }
      }
    }
  });

  it('names the scope of the service endpoints and leaves operations public', () => {
    expect(document.paths['/v1/notifications']['post']['x-required-scope']).toBe(
      'notifications:write',
    );
    expect(document.paths['/v1/topics/{topic}/subscribers']['put']['x-required-scope']).toBe(
      'notifications:write',
    );
    expect(document.paths['/admin/queues']['get']['x-required-scope']).toBe('admin');
    expect(document.paths['/v1/notifications']['get']['x-required-scope']).toBeUndefined();
    for (const path of ['/health/live', '/health/ready', '/metrics', '/docs/asyncapi.json']) {
      expect([path, document.paths[path]['get'].security]).toEqual([path, []]);
      expect([path, document.paths[path]['get'].responses['401']]).toEqual([path, undefined]);
    }
    // health and metrics are never rate limited; the API is
    expect(document.paths['/health/ready']['get'].responses['429']).toBeUndefined();
    expect(document.paths['/v1/notifications']['get'].responses['429']).toBeDefined();
  });

  it('gives request and response schemas of the notification endpoints', () => {
    const publish = document.paths['/v1/notifications']['post'];
    expect(publish.requestBody?.content['application/json'].schema).toEqual({
      $ref: '#/components/schemas/PublishNotificationDto',
    });
    expect(publish.responses['202'].content?.['application/json'].schema).toEqual({
      $ref: '#/components/schemas/PublishAccepted',
    });
    const schemas = (document.components as unknown as { schemas: Record<string, unknown> })
      .schemas;
    expect(schemas['PublishNotificationDto']).toMatchObject({
      required: expect.arrayContaining(['type', 'title']) as unknown,
      properties: {
        userIds: { type: 'array', maxItems: 10000 },
        title: { maxLength: 200 },
        idempotencyKey: { maxLength: 200 },
      },
    });
    expect(schemas['ErrorBody']).toMatchObject({
      required: expect.arrayContaining(['statusCode', 'error', 'message', 'requestId']) as unknown,
    });
    const list = document.paths['/v1/notifications']['get'];
    expect(list.responses['200'].content?.['application/json'].schema).toEqual({
      $ref: '#/components/schemas/InboxPage',
    });
    expect(list.responses['400'].content?.['application/json'].schema).toEqual({
      $ref: '#/components/schemas/ErrorBody',
    });
  });

  it('documents task writes as conditional only when they name a version', () => {
    const task = document.paths['/v1/tasks/{id}'];
    for (const method of ['patch', 'delete']) {
      const ifMatch = task[method].parameters?.find((p) => p.name.toLowerCase() === 'if-match');
      expect([method, ifMatch]).toEqual([method, expect.objectContaining({ required: false })]);
      expect([method, Object.keys(task[method].responses)]).toEqual([
        method,
        expect.arrayContaining(['409']),
      ]);
    }
    expect(Object.keys(task['patch'].responses)).toContain('200');
    expect(Object.keys(task['delete'].responses)).toContain('204');
    expect(task['delete'].requestBody).toEqual({
      required: false,
      content: { 'application/json': { schema: { $ref: '#/components/schemas/DeleteTaskDto' } } },
    });
    const schemas = (document.components as unknown as { schemas: Record<string, unknown> })
      .schemas;
    expect(schemas['DeleteTaskDto']).toMatchObject({
      properties: { version: { type: 'integer', minimum: 1 } },
    });
    // The task bodies document every field they accept.
    expect(schemas['CreateTaskDto']).toMatchObject({
      required: ['title'],
      properties: {
        title: { maxLength: 200 },
        status: { enum: ['open', 'in_progress', 'done'] },
        dueAt: { format: 'date-time', nullable: true },
      },
    });
    expect(Object.keys((schemas['UpdateTaskDto'] as { properties: object }).properties)).toEqual([
      'title',
      'description',
      'status',
      'assigneeId',
      'dueAt',
      'version',
    ]);
    // No route answers 428: a write without a version is applied.
    const with428 = Object.entries(document.paths).flatMap(([path, operations]) =>
      Object.entries(operations)
        .filter(([, operation]) => '428' in operation.responses)
        .map(([method]) => `${method.toUpperCase()} ${path}`),
    );
    expect(with428).toEqual([]);
  });

  it('serves the Swagger UI at /docs and the WebSocket protocol as AsyncAPI', async () => {
    const ui = await request(herald.url).get('/docs');
    expect(ui.status).toBe(200);
    expect(ui.text).toContain('swagger-ui');
    const asyncapi = await request(herald.url).get('/docs/asyncapi.json');
    expect(asyncapi.status).toBe(200);
    const asyncDocument = asyncapi.body as { asyncapi: string; components: { messages: object } };
    expect(asyncDocument.asyncapi).toBe('2.6.0');
    const messages = Object.keys(asyncDocument.components.messages);
    expect(messages).toEqual(
      expect.arrayContaining(['server.ready', 'server.notification', 'client.resume']),
    );
  });
});
