import { ApiProperty } from '@nestjs/swagger';
import { IsISO8601 } from 'class-validator';

export class SnoozeDto {
  @ApiProperty({
    format: 'date-time',
    description: 'When it comes back to the inbox, unread: 1 minute to 90 days from now',
    example: '2026-12-02T08:00:00.000Z',
  })
  @IsISO8601({ strict: true }, { message: 'until must be an ISO 8601 date-time' })
  until!: string;
}
