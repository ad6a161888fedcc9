import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { Observable, tap } from 'rxjs';
import { etagOf } from './task-version';
import type { TaskView } from './task.types';

/** A response that is one task carries its version as ETag, ready for `If-Match`. */
@Injectable()
export class TaskEtagInterceptor implements NestInterceptor {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const response: unknown = context.switchToHttp().getResponse();
    const adapter = this.adapterHost.httpAdapter;
    return next.handle().pipe(
      tap((result: unknown) => {
        if (isTaskView(result)) adapter.setHeader(response, 'ETag', etagOf(result.version));
      }),
    );
  }
}

function isTaskView(value: unknown): value is TaskView {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Partial<TaskView>).id === 'string' &&
    typeof (value as Partial<TaskView>).version === 'number'
  );
}
