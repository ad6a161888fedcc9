import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsObject,
  IsOptional,
  IsString,
  Length,
  Matches,
  MaxLength,
} from 'class-validator';
import {
  BODY_MAX,
  DATA_MAX_BYTES,
  IDEMPOTENCY_KEY_MAX,
  MAX_RECIPIENTS,
  TITLE_MAX,
  TOPIC_PATTERN,
  TOPIC_RULE,
  TYPE_MAX,
  USER_ID_MAX,
} from './limits';
import { MaxJsonSize } from './max-json-size.validator';

export class PublishNotificationDto {
  @ApiPropertyOptional({
    type: [String],
    minItems: 1,
    maxItems: MAX_RECIPIENTS,
    description: 'Recipients (user ids, 1-128 chars each); exactly one of userIds or topic',
    example: ['alice', 'bob'],
  })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_RECIPIENTS)
  @IsString({ each: true })
  @Length(1, USER_ID_MAX, { each: true })
  userIds?: string[];

  @ApiPropertyOptional({
    pattern: TOPIC_PATTERN.source,
    description: `Publish to the topic's current subscribers; ${TOPIC_RULE}`,
    example: 'billing',
  })
  @IsOptional()
  @IsString()
  @Matches(TOPIC_PATTERN, { message: `topic must be ${TOPIC_RULE}` })
  topic?: string;

  @ApiProperty({ minLength: 1, maxLength: TYPE_MAX, example: 'invoice.paid' })
  @IsString()
  @Length(1, TYPE_MAX)
  type!: string;

  @ApiProperty({ minLength: 1, maxLength: TITLE_MAX, example: 'Invoice paid' })
  @IsString()
  @Length(1, TITLE_MAX)
  title!: string;

  @ApiPropertyOptional({ maxLength: BODY_MAX, default: '', example: 'Invoice #7 was paid.' })
  @IsOptional()
  @IsString()
  @MaxLength(BODY_MAX)
  body?: string;

  // Kept as parsed (no class-transformer copy), so keys such as "__proto__" stay plain data.
  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    default: {},
    description: `Any JSON object, at most ${DATA_MAX_BYTES} bytes serialized`,
    example: { invoiceId: 7 },
  })
  @Transform(({ obj }: { obj: Record<string, unknown> }) => obj['data'])
  @IsOptional()
  @IsObject()
  @MaxJsonSize(DATA_MAX_BYTES)
  data?: Record<string, unknown>;

  @ApiPropertyOptional({
    minLength: 1,
    maxLength: IDEMPOTENCY_KEY_MAX,
    description: "Repeat-safe publishing, scoped to the publisher's token `sub`",
    example: 'inv-7-paid',
  })
  @IsOptional()
  @IsString()
  @Length(1, IDEMPOTENCY_KEY_MAX)
  idempotencyKey?: string;

  @ApiPropertyOptional({
    default: false,
    description: "Delivered whatever the recipients' preferences mute (security, billing)",
  })
  @IsOptional()
  @IsBoolean()
  critical?: boolean;
}
