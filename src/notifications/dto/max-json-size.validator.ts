import { registerDecorator, type ValidationOptions } from 'class-validator';

/** The value, serialized as JSON, is at most `maxBytes` bytes (UTF-8). */
export function MaxJsonSize(maxBytes: number, options?: ValidationOptions) {
  return (target: object, propertyName: string) =>
    registerDecorator({
      name: 'maxJsonSize',
      target: target.constructor,
      propertyName,
      constraints: [maxBytes],
      options: { message: `$property must be at most ${maxBytes} bytes as JSON`, ...options },
      validator: {
        validate: (value: unknown) => {
          try {
            return Buffer.byteLength(JSON.stringify(value) ?? '') <= maxBytes;
          } catch {
            return false;
          }
        },
      },
    });
}
