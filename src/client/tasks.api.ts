/**
 * Tasks. Each carries `version`: an update or delete may name the version it is based on
 * (`version` in the body, or `ifMatch`); a stale one fails with a HeraldError 409 whose
 * `currentVersion` says what to reload.
 */
import { path, type HttpTransport } from './http-transport';
import type {
  CreateTaskRequest,
  DeleteTaskRequest,
  TaskPage,
  TaskQuery,
  TaskView,
  UpdateTaskRequest,
} from './types';

export interface Precondition {
  /** Sent as `If-Match: "<version>"`. */
  ifMatch?: number;
}

/** `version` goes in the body, `ifMatch` in the header; with neither the delete is applied. */
export type DeleteTaskOptions = DeleteTaskRequest & Precondition;

export class TasksApi {
  constructor(private readonly http: HttpTransport) {}

  /** Owner = the caller, or `ownerId` with the `tasks:write` scope. */
  create(task: CreateTaskRequest): Promise<TaskView> {
    return this.http.call('POST', '/v1/tasks', { body: task });
  }

  /** Tasks the caller owns or is assigned, newest first; pass `nextCursor` as `cursor`. */
  list(query: TaskQuery = {}): Promise<TaskPage> {
    return this.http.call('GET', '/v1/tasks', { query: { ...query } });
  }

  get(id: string): Promise<TaskView> {
    return this.http.call('GET', path`/v1/tasks/${id}`);
  }

  update(id: string, change: UpdateTaskRequest, options: Precondition = {}): Promise<TaskView> {
    return this.http.call('PATCH', path`/v1/tasks/${id}`, {
      body: change,
      headers: ifMatch(options),
    });
  }

  async delete(id: string, { version, ...options }: DeleteTaskOptions = {}): Promise<void> {
    await this.http.call('DELETE', path`/v1/tasks/${id}`, {
      body: version === undefined ? undefined : { version },
      headers: ifMatch(options),
    });
  }
}

const ifMatch = ({ ifMatch }: Precondition): Record<string, string> =>
  ifMatch === undefined ? {} : { 'if-match': `"${ifMatch}"` };
