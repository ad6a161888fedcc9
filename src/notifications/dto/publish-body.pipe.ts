/**
 * Validation of the two publish bodies without a class-instance graph per request. A body that
 * passes the checks below is exactly what PublishNotificationDto's decorators accept, checked
 * with class-validator's own functions, and is handed on as parsed; anything else (an unknown
 * key, a wrong type, a length out of range) goes through the full ValidationPipe, so every 400
 * is the same as before, naming its fields. The checks may refuse more than the decorators
 * (then the full pipe decides), never less: publish-body.pipe.spec.ts holds them to that.
 *
 * The routes declare their body as `Readonly<Dto>` so that the global ValidationPipe, which only
 * validates class types, leaves the body to this pipe.
 */
import {
  Injectable,
  type ArgumentMetadata,
  type PipeTransform,
  type Type,
  ValidationPipe,
} from '@nestjs/common';
import { isObject, isString, length, matches, maxLength } from 'class-validator';
import {
  BODY_MAX,
  DATA_MAX_BYTES,
  IDEMPOTENCY_KEY_MAX,
  MAX_PUBLISHES_PER_REQUEST,
  MAX_RECIPIENTS,
  TITLE_MAX,
  TOPIC_PATTERN,
  TYPE_MAX,
  USER_ID_MAX,
} from './limits';
import { PublishBatchDto } from './publish-batch.dto';
import { PublishNotificationDto } from './publish-notification.dto';

/** The options of the global pipe (app.factory.ts): the fallback answers as it does. */
const FULL = new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true });

type Check = (value: unknown) => boolean;
const absent = (value: unknown) => value === undefined || value === null; // @IsOptional()
const text =
  (min: number, max: number): Check =>
  (v) =>
    isString(v) && length(v, min, max);

const PUBLISH_FIELDS: Record<keyof PublishNotificationDto, Check> = {
  userIds: (v) =>
    absent(v) ||
    (Array.isArray(v) &&
      v.length >= 1 &&
      v.length <= MAX_RECIPIENTS &&
      v.every((id) => isString(id) && length(id, 1, USER_ID_MAX))),
  topic: (v) => absent(v) || (isString(v) && matches(v, TOPIC_PATTERN)),
  type: text(1, TYPE_MAX),
  title: text(1, TITLE_MAX),
  body: (v) => absent(v) || (isString(v) && maxLength(v, BODY_MAX)),
  data: (v) => absent(v) || (isObject(v) && jsonBytesAtMost(v, DATA_MAX_BYTES)),
  idempotencyKey: (v) => absent(v) || text(1, IDEMPOTENCY_KEY_MAX)(v),
  critical: (v) => absent(v) || typeof v === 'boolean',
};

function jsonBytesAtMost(value: unknown, max: number): boolean {
  try {
    return Buffer.byteLength(JSON.stringify(value) ?? '') <= max;
  } catch {
    return false;
  }
}

function isPlainRecord(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const prototype = Object.getPrototypeOf(value) as unknown;
  return prototype === Object.prototype || prototype === null;
}

/** Every key known, every field as the decorators want it (see the file comment). */
export function isValidPublish(value: unknown): value is PublishNotificationDto {
  if (!isPlainRecord(value)) return false;
  for (const key in value) {
    if (!Object.prototype.hasOwnProperty.call(PUBLISH_FIELDS, key)) return false;
  }
  const fields = PUBLISH_FIELDS as Record<string, Check>;
  for (const key in fields) {
    if (!fields[key](value[key])) return false;
  }
  return true;
}

export function isValidPublishBatch(value: unknown): value is PublishBatchDto {
  if (!isPlainRecord(value)) return false;
  for (const key in value) if (key !== 'notifications') return false;
  const items = value.notifications;
  return (
    Array.isArray(items) &&
    items.length >= 1 &&
    items.length <= MAX_PUBLISHES_PER_REQUEST &&
    items.every(isValidPublish)
  );
}

@Injectable()
export class PublishBodyPipe<
  T extends PublishNotificationDto | PublishBatchDto,
> implements PipeTransform<unknown, Promise<T>> {
  private readonly valid: (value: unknown) => boolean;

  constructor(private readonly type: Type<T>) {
    this.valid = (type as Type<unknown>) === PublishBatchDto ? isValidPublishBatch : isValidPublish;
  }

  async transform(value: unknown, metadata: ArgumentMetadata): Promise<T> {
    if (this.valid(value)) return value as T;
    return (await FULL.transform(value, { ...metadata, metatype: this.type })) as T;
  }
}
