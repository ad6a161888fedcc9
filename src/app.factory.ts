import { ValidationPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { rejectUnstorableInput } from './common/json-input';
import type { AppConfig } from './config/app-config';
import { setupDocs } from './docs/openapi';
import { HeraldWsAdapter } from './realtime/herald-ws.adapter';

/** Request bodies larger than this get 413. */
export const MAX_BODY = '1mb';

/** Builds the app for a configuration: HTTP and `/ws` on one server. Not listening yet. */
export async function createApp(config: AppConfig): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), {
    bodyParser: false,
    bufferLogs: true,
  });
  app.useLogger(app.get(Logger));
  app.useBodyParser('json', { limit: MAX_BODY });
  app.use(rejectUnstorableInput);
  app.useGlobalPipes(
    new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }),
  );
  app.useWebSocketAdapter(new HeraldWsAdapter(app));
  // Bearer tokens, no cookies: CORS never needs credentials, so never `*` with credentials.
  app.enableCors({ origin: config.allowedOrigins ?? true, credentials: false, maxAge: 600 });
  app.disable('x-powered-by');
  app.set('trust proxy', config.trustProxyHops); // the client IP for rate limits, behind nginx
  setupDocs(app);
  return app;
}
