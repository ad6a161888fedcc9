import { ArgumentsHost, Catch, ConflictException, ExceptionFilter } from '@nestjs/common';
import type { Request, Response } from 'express';
import { etagOf } from './task-version';

/** A write based on a version that is no longer current. */
export class TaskVersionConflict extends ConflictException {
  constructor(readonly currentVersion: number) {
    super(`the task was changed meanwhile; its current version is ${currentVersion}`);
  }
}

/**
 * Answers 409 in the usual error shape plus `currentVersion` (and the current ETag), so a client
 * can reload, reapply its change and retry without parsing the message.
 */
@Catch(TaskVersionConflict)
export class TaskVersionConflictFilter implements ExceptionFilter<TaskVersionConflict> {
  catch(conflict: TaskVersionConflict, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<Request & { id?: unknown }>();
    const response = http.getResponse<Response>();
    response
      .status(409)
      .setHeader('ETag', etagOf(conflict.currentVersion))
      .json({
        statusCode: 409,
        error: 'Conflict',
        message: conflict.message,
        requestId: typeof request.id === 'string' ? request.id : '',
        currentVersion: conflict.currentVersion,
      });
  }
}
