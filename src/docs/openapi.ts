/**
 * The OpenAPI document (`/docs`, `/docs-json`, `/docs-yaml`). Controllers describe their own
 * bodies and answers; what every route shares is added here from the same metadata the guards
 * enforce (@Public, @RequireScope, @SkipThrottle), so the documented auth and error answers
 * cannot drift from the real ones.
 */
import type { INestApplication } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import {
  DocumentBuilder,
  SwaggerModule,
  type OpenAPIObject,
  type OperationObject,
  type ResponseObject,
} from '@nestjs/swagger';
import { IS_PUBLIC, REQUIRED_SCOPE } from '../auth/auth.decorators';
import { adminPaths } from './admin-paths';
import { ErrorBodyDoc } from './api-models';
import { WIDGET_CONTROLLER, widgetPaths } from './widget-paths';

const DOCS_PATH = 'docs';
const THROTTLER_SKIP_DEFAULT = 'THROTTLER:SKIPdefault'; // @SkipThrottle() of @nestjs/throttler
const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'options', 'head'] as const;

interface RouteFacts {
  isPublic: boolean;
  scope?: string;
  throttled: boolean;
}

export function setupDocs(app: INestApplication): void {
  SwaggerModule.setup(DOCS_PATH, app, () => buildOpenApiDocument(app), {
    customSiteTitle: 'Herald API',
    raw: ['json', 'yaml'],
  });
}

function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const base = new DocumentBuilder()
    .setTitle('Herald')
    .setVersion('1')
    .setDescription(
      'Notification service: publish over REST, receive over a WebSocket (`GET /ws`, described ' +
        'in AsyncAPI at [/docs/asyncapi.json](/docs/asyncapi.json)).\n\n' +
        'Every endpoint needs `Authorization: Bearer <JWT>` unless marked otherwise. Scopes ' +
        '(`scope` claim, space-separated): `notifications:write`, `tasks:write`, `admin`; a token ' +
        'without scopes is a user token and sees only its own data. Every error answers ' +
        '`{ statusCode, error, message, requestId }`.',
    )
    .addBearerAuth(
      {
        type: 'http',
        scheme: 'bearer',
        bearerFormat: 'JWT',
        description: 'JWT; `sub` is the user',
      },
      'bearer',
    )
    .addTag('notifications', 'Publish notifications and read the inbox')
    .addTag('topics', 'Topic subscriptions')
    .addTag('operations', 'Health, metrics and the queue dashboard')
    .addTag('widget', 'The browser widget and the demo page')
    .build();
  const document = SwaggerModule.createDocument(app, base, {
    extraModels: [ErrorBodyDoc],
    operationIdFactory: (controller, method) => `${controller}_${method}`,
  });
  const controllers = app.get(DiscoveryService, { strict: false }).getControllers();
  const served = controllers.some((wrapper) => wrapper.metatype?.name === WIDGET_CONTROLLER);
  document.paths = {
    ...(served ? widgetPaths() : {}),
    ...document.paths,
    ...adminPaths(errorResponse),
  };
  const facts = routeFacts(app);
  for (const path of Object.values(document.paths)) {
    for (const method of METHODS) {
      const operation = path[method];
      const routeFact = operation?.operationId ? facts.get(operation.operationId) : undefined;
      if (operation && routeFact) describeShared(operation, routeFact);
    }
  }
  return document;
}

/** @Public / @RequireScope / @SkipThrottle of every controller method, by operation id. */
function routeFacts(app: INestApplication): Map<string, RouteFacts> {
  const discovery = app.get(DiscoveryService, { strict: false });
  const scanner = app.get(MetadataScanner, { strict: false });
  const reflector = app.get(Reflector, { strict: false });
  const facts = new Map<string, RouteFacts>();
  for (const wrapper of discovery.getControllers()) {
    const instance: unknown = wrapper.instance;
    const metatype = wrapper.metatype;
    if (!instance || !metatype) continue;
    const prototype = Object.getPrototypeOf(instance) as Record<string, unknown>;
    for (const name of scanner.getAllMethodNames(prototype)) {
      const targets = [prototype[name] as () => unknown, metatype];
      facts.set(`${metatype.name}_${name}`, {
        isPublic: reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets) ?? false,
        scope: reflector.getAllAndOverride<string | undefined>(REQUIRED_SCOPE, targets),
        throttled: !reflector.getAllAndOverride<boolean>(THROTTLER_SKIP_DEFAULT, targets),
      });
    }
  }
  return facts;
}

function describeShared(operation: OperationObject, facts: RouteFacts): void {
  const responses = operation.responses;
  const add = (status: number, description: string, message: string) => {
    responses[status] ??= errorResponse(status, description, message);
  };
  if (facts.isPublic) {
    operation.security = [];
    operation.description = join('No token needed.', operation.description);
  } else {
    operation.security = [{ bearer: [] }];
    add(401, 'Missing, invalid or expired token', 'Unauthorized');
  }
  if (facts.scope) {
    (operation as OperationObject & Record<`x-${string}`, unknown>)['x-required-scope'] =
      facts.scope;
    operation.description = join(`Needs the \`${facts.scope}\` scope.`, operation.description);
    add(
      403,
      `The token lacks the \`${facts.scope}\` scope`,
      `this endpoint needs the '${facts.scope}' scope`,
    );
  }
  if (operation.requestBody || operation.parameters?.length) {
    add(
      400,
      'Invalid parameters or body; the message names each field',
      'limit must not be greater than 100',
    );
  }
  if (operation.requestBody) add(413, 'Body over 1 MiB', 'request body exceeds 1 MiB');
  if (facts.throttled) {
    responses[429] ??= {
      ...errorResponse(
        429,
        'Rate limit (RATE_LIMIT_*) exceeded for this token or IP',
        'too many requests: 600 per 60 s; retry in 12 s',
      ),
      headers: {
        'Retry-After': {
          description: 'Seconds until a retry can succeed',
          schema: { type: 'integer' },
        },
      },
    };
  }
  if (!facts.isPublic)
    add(
      503,
      'Postgres, Redis or the queue is unavailable; retry later',
      'a dependency is unavailable, retry later',
    );
}

function errorResponse(status: number, description: string, message: string): ResponseObject {
  return {
    description,
    content: {
      'application/json': {
        schema: { $ref: '#/components/schemas/ErrorBody' },
        example: { statusCode: status, error: errorName(status), message, requestId: 'req-1' },
      },
    },
  };
}

function errorName(status: number): string {
  const names: Record<number, string> = {
    400: 'Bad Request',
    401: 'Unauthorized',
    403: 'Forbidden',
    413: 'Payload Too Large',
    429: 'Too Many Requests',
    503: 'Service Unavailable',
  };
  return names[status] ?? 'Error';
}

function join(first: string, rest: string | undefined): string {
  return rest ? `${first} ${rest}` : first;
}
