/** Validation shared by the task DTOs. */
import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import {
  IsInt,
  Max,
  Min,
  registerDecorator,
  ValidateIf,
  type ValidationOptions,
} from 'class-validator';
import { TASK_VERSION_MAX } from '../task.types';

/** `version` of a PATCH or DELETE body: the version the write is based on, documented. */
export function TaskVersion(write: 'change' | 'delete') {
  return applyDecorators(
    ApiPropertyOptional({
      type: 'integer',
      minimum: 1,
      maximum: TASK_VERSION_MAX,
      example: 3,
      description: `The version the ${write} is based on (or send it as \`If-Match\`); a stale one gets 409`,
    }),
    ValidateIf((_, value) => value !== undefined),
    IsInt(),
    Min(1),
    Max(TASK_VERSION_MAX),
  );
}

/** An ISO 8601 date-time with a time zone (`Z` or an offset), e.g. 2030-01-31T17:00:00Z. */
const ISO_WITH_ZONE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

export function IsZonedDateTime(options?: ValidationOptions) {
  return (target: object, propertyName: string) =>
    registerDecorator({
      name: 'isZonedDateTime',
      target: target.constructor,
      propertyName,
      options: {
        message: '$property must be an ISO 8601 date-time with a time zone, or null',
        ...options,
      },
      validator: {
        validate: (value: unknown) =>
          typeof value === 'string' &&
          ISO_WITH_ZONE.test(value) &&
          !Number.isNaN(Date.parse(value)),
      },
    });
}
