import { Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
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
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_RECIPIENTS)
  @IsString({ each: true })
  @Length(1, USER_ID_MAX, { each: true })
  userIds?: string[];

  @IsOptional()
  @IsString()
  @Matches(TOPIC_PATTERN, { message: `topic must be ${TOPIC_RULE}` })
  topic?: string;

  @IsString()
  @Length(1, TYPE_MAX)
  type!: string;

  @IsString()
  @Length(1, TITLE_MAX)
  title!: string;

  @IsOptional()
  @IsString()
  @MaxLength(BODY_MAX)
  body?: string;

  // Kept as parsed (no class-transformer copy), so keys such as "__proto__" stay plain data.
  @Transform(({ obj }: { obj: Record<string, unknown> }) => obj['data'])
  @IsOptional()
  @IsObject()
  @MaxJsonSize(DATA_MAX_BYTES)
  data?: Record<string, unknown>;

  @IsOptional()
  @IsString()
  @Length(1, IDEMPOTENCY_KEY_MAX)
  idempotencyKey?: string;
}
