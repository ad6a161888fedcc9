import {
  ServiceUnavailableException,
  ValidationPipe,
  type DynamicModule,
  type NestApplicationOptions,
} from '@nestjs/common';
import { HttpAdapterHost, NestFactory } from '@nestjs/core';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { DestinationStream } from 'pino';
import { AppModule } from './app.module';
import { HttpErrorFilter } from './http/http-error.filter';
import { installInputChecks } from './http/json-input';
import {
  createLogger,
  installRequestLogging,
  PinoLoggerService,
  requestIdOf,
} from './http/logging';
import type { AppConfig } from './config/app-config';
import { setupDocs } from './docs/openapi';
import { isDraining } from './lifecycle/graceful-shutdown';
import { installHttpMetrics } from './metrics/http-metrics';
import { MetricsService } from './metrics/metrics.service';
import { HeraldWsAdapter } from './realtime/herald-ws.adapter';

/** Request bodies larger than this get 413. */
export const MAX_BODY_BYTES = 1024 * 1024;

/** Makes the Nest application from the app's module, on the Fastify adapter, with these options. */
export type AppBuilder = (
  module: DynamicModule,
  adapter: FastifyAdapter,
  options: NestApplicationOptions,
) => Promise<NestFastifyApplication>;

export interface AppOptions {
  /** Where log lines go (default stdout), e.g. a stream a test reads. */
  logDestination?: DestinationStream;
  /**
   * Makes the application instead of NestFactory.create, the rest of the setup unchanged: a
   * test passes one built with @nestjs/testing to override providers (never set in main.ts).
   */
  build?: AppBuilder;
}

/** Builds the app for a configuration: HTTP (Fastify) and `/ws` on one server. Not listening yet. */
export async function createApp(
  config: AppConfig,
  options: AppOptions = {},
): Promise<NestFastifyApplication> {
  const logger = createLogger(config, options.logDestination);
  const late: { errors?: HttpErrorFilter } = {}; // the filter needs the app
  const adapter: FastifyAdapter = new FastifyAdapter({
    // Fastify's own request logging would make a child logger per request; ours writes only
    // the lines whose level is on (installRequestLogging).
    logger: false,
    bodyLimit: MAX_BODY_BYTES,
    // The client IP (rate limits) behind that many proxies: hop i of X-Forwarded-For (0: the
    // peer) is trusted while i < TRUST_PROXY_HOPS, as Express counted them; 0 trusts none.
    // (A plain number would make Fastify trust nothing.)
    trustProxy: config.trustProxyHops > 0 ? (_address, hop) => hop < config.trustProxyHops : false,
    genReqId: requestIdOf, // a sane caller X-Request-Id, else a new one
    // Paths match exactly: `/metrics/` and `/METRICS` are other paths (404), so a proxy rule
    // for `/metrics` cannot be walked around. (Fastify's defaults, stated so they stay.)
    routerOptions: { caseSensitive: true, ignoreTrailingSlash: false },
    // While draining, the hook below answers 503 in the error shape instead of Fastify's own.
    return503OnClosing: false,
    // The router refuses a malformed URL (400) or an over-long parameter (414) before any hook
    // or Nest's error handler: answered by the one exception filter all the same.
    frameworkErrors: (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
      late.errors?.catch(adapter.mapException(error), new ExecutionContextHost([request, reply]));
    },
  });
  // Fastify's own JSON parser, with bodyLimit (413); no form or text parser: a body of another
  // type answers 415 rather than reaching the validation as something else.
  const nestOptions: NestApplicationOptions = {
    bufferLogs: true,
    bodyParser: false,
    // A failed boot (e.g. Postgres not answering) rejects instead of calling process.exit: main.ts
    // reports it and exits; a test suite sees its own failure instead of the runner dying.
    abortOnError: false,
  };
  const module = AppModule.forRoot(config);
  let app: NestFastifyApplication;
  if (options.build) {
    await adapter.init(); // what NestFactory.create does first (middie, before any hook of ours)
    app = await options.build(module, adapter, nestOptions);
  } else {
    app = await NestFactory.create<NestFastifyApplication>(module, adapter, nestOptions);
  }
  app.useLogger(new PinoLoggerService(logger));
  late.errors = new HttpErrorFilter(app.get(HttpAdapterHost));
  const fastify: FastifyInstance = app.getHttpAdapter().getInstance();
  fastify.removeContentTypeParser('text/plain');
  fastify.addHook('onRequest', (request, reply, done) => {
    reply.header('X-Request-Id', request.id);
    if (!isDraining(app)) return done();
    reply.header('Connection', 'close');
    done(new ServiceUnavailableException('shutting down, retry on another instance'));
  });
  installInputChecks(fastify);
  installHttpMetrics(fastify, app.get(MetricsService));
  installRequestLogging(fastify, logger);
  app.useGlobalPipes(
    new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }),
  );
  app.useWebSocketAdapter(new HeraldWsAdapter(app));
  // Bearer tokens, no cookies on the API: CORS never needs credentials, so never `*` with them.
  // Methods named: @fastify/cors allows only GET, HEAD and POST by default, so a browser would
  // refuse the inbox's DELETE, PATCH and PUT calls from another origin.
  app.enableCors({
    origin: config.allowedOrigins ?? true,
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
    credentials: false,
    maxAge: 600,
  });
  setupDocs(app);
  return app;
}
