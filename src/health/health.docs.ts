/** OpenAPI shapes of the health answers. */
import { ApiProperty } from '@nestjs/swagger';

const DETAILS_EXAMPLE = {
  postgres: { status: 'up' },
  redis: { status: 'up' },
  queue: { status: 'up', queues: ['notifications', 'tasks'] },
  realtime_bus: { status: 'up' },
};

export class HealthDoc {
  @ApiProperty({ enum: ['ok', 'degraded'], example: 'ok' })
  status!: string;

  @ApiProperty({ description: 'Indicators that are up', example: DETAILS_EXAMPLE })
  info?: Record<string, unknown>;

  @ApiProperty({ description: 'Indicators that are down (empty)', example: {} })
  error?: Record<string, unknown>;

  @ApiProperty({ description: 'Every indicator', example: DETAILS_EXAMPLE })
  details!: Record<string, unknown>;
}

export class NotReadyDoc {
  @ApiProperty({ example: 503 })
  statusCode!: number;

  @ApiProperty({ example: 'Service Unavailable' })
  error!: string;

  @ApiProperty({ example: 'not ready: redis, queue down' })
  message!: string;

  @ApiProperty({ example: '5f0c6a52-3c55-4c36-a0f5-0d6f1a3f4b2e' })
  requestId!: string;

  @ApiProperty({ enum: ['error', 'shutting_down'], example: 'error' })
  status!: string;

  @ApiProperty({
    description: 'Every indicator, with the error of those that are down',
    example: { ...DETAILS_EXAMPLE, redis: { status: 'down', message: 'Connection is closed.' } },
  })
  details!: Record<string, unknown>;
}
