/** Validation shared by the task DTOs. */
import { registerDecorator, type ValidationOptions } from 'class-validator';

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
