/**
 * `/health/live`: the process answers. `/health/ready`: Postgres, Redis, the queues and the
 * realtime bus answer; 503 (with which one failed) while any does not, or while shutting down.
 */
import { Controller, Get, Inject, ServiceUnavailableException } from '@nestjs/common';
import {
  ApiOkResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import {
  HealthCheck,
  HealthCheckService,
  TypeOrmHealthIndicator,
  type HealthCheckResult,
} from '@nestjs/terminus';
import { SkipThrottle } from '@nestjs/throttler';
import { Public } from '../auth/auth.decorators';
import { ProblemException } from '../http/problem.exception';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { HealthDoc, NotReadyDoc } from './health.docs';
import { RedisHealth } from './redis.health';

@ApiTags('operations')
@Public()
@SkipThrottle()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly postgres: TypeOrmHealthIndicator,
    private readonly redis: RedisHealth,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get('live')
  @HealthCheck({ noCache: true, swaggerDocumentation: false })
  @ApiOperation({ summary: 'Liveness: the process is up (restart it when this fails)' })
  @ApiOkResponse({ type: HealthDoc })
  live(): Promise<HealthCheckResult> {
    return this.health.check([]);
  }

  @Get('ready')
  @HealthCheck({ noCache: true, swaggerDocumentation: false })
  @ApiOperation({
    summary: 'Readiness: Postgres, Redis, the queues and the realtime bus answer',
    description: 'Take the instance out of the load balancer while this answers 503.',
  })
  @ApiOkResponse({ type: HealthDoc })
  @ApiServiceUnavailableResponse({ type: NotReadyDoc, description: 'A dependency is down' })
  async ready(): Promise<HealthCheckResult> {
    try {
      return await this.health.check([
        () =>
          this.postgres.pingCheck('postgres').withTimeout(this.config.database.connectTimeoutMs),
        () => this.redis.redisCheck(),
        () => this.redis.queueCheck(),
        () => this.redis.busCheck(),
      ]);
    } catch (error) {
      if (!(error instanceof ServiceUnavailableException)) throw error;
      // A readiness answer says what is down: the error body plus the indicators (NotReadyDoc).
      const result = error.getResponse() as HealthCheckResult;
      const down = Object.keys(result.error ?? {});
      throw new ProblemException(
        503,
        down.length ? `not ready: ${down.join(', ')} down` : `not ready: ${result.status}`,
        { extra: { status: result.status, details: result.details } },
      );
    }
  }
}
