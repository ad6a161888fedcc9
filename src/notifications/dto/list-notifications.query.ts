import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';
import { TOPIC_PATTERN, TOPIC_RULE, TYPE_MAX } from './limits';

export const VIEWS = ['inbox', 'archived', 'snoozed', 'all'] as const;
export type InboxView = (typeof VIEWS)[number];
/** An exact type, or a prefix ending in `.*` (every type starting with the prefix and a dot). */
const TYPE_FILTER = new RegExp(`^(?:[^*]{1,${TYPE_MAX}}|[^*]{1,${TYPE_MAX}}\\.\\*)$`);

export class ListNotificationsQuery {
  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 20 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  limit: number = 20;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(2 ** 31 - 1)
  @ApiPropertyOptional({ minimum: 0, description: 'A seq: page towards older notifications' })
  before?: number;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(2 ** 31 - 1)
  @ApiPropertyOptional({
    minimum: 0,
    description: 'A seq: only newer notifications, oldest first (the resume query)',
  })
  after?: number;

  @ApiPropertyOptional({ enum: ['true', 'false'], description: 'Only unread notifications' })
  @IsOptional()
  @IsIn(['true', 'false'])
  unread?: 'true' | 'false';

  @ApiPropertyOptional({
    enum: VIEWS,
    default: 'inbox',
    description: 'inbox: neither archived nor snoozed; archived; snoozed; all',
  })
  @IsOptional()
  @IsIn(VIEWS)
  view: InboxView = 'inbox';

  @ApiPropertyOptional({
    description: 'Only this type, or with a trailing `.*` every type under the prefix',
    example: 'task.*',
  })
  @IsOptional()
  @IsString()
  @Matches(TYPE_FILTER, {
    message: `type must be a type (1-${TYPE_MAX}) or a prefix ending in ".*"`,
  })
  type?: string;

  @ApiPropertyOptional({ description: 'Only notifications of this topic', example: 'billing' })
  @IsOptional()
  @IsString()
  @Matches(TOPIC_PATTERN, { message: `topic must be ${TOPIC_RULE}` })
  topic?: string;
}
