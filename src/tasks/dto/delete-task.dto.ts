import { TaskVersion } from './task-fields';

/** The optional body of a task DELETE: without a version the delete is unconditional. */
export class DeleteTaskDto {
  @TaskVersion('delete')
  version?: number;
}
