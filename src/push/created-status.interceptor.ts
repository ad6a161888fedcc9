import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { map, type Observable } from 'rxjs';

/**
 * For handlers that answer `{ ..., created }`: 201 when `created`, else 200, with `created`
 * left out of the body. Through the HTTP adapter, so it works on any platform.
 */
@Injectable()
export class CreatedStatusInterceptor implements NestInterceptor {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const response: unknown = context.switchToHttp().getResponse();
    return next.handle().pipe(
      map((result: unknown) => {
        if (typeof result !== 'object' || result === null || !('created' in result)) return result;
        const { created, ...body } = result as { created: boolean };
        this.adapterHost.httpAdapter.status(response, created ? 201 : 200);
        return body;
      }),
    );
  }
}
