import { IsIn, IsOptional, IsString, Length, MaxLength, ValidateIf } from 'class-validator';
import { USER_ID_MAX } from '../../notifications/dto/limits';
import {
  TASK_DESCRIPTION_MAX,
  TASK_STATUSES,
  TASK_TITLE_MAX,
  type TaskStatus,
} from '../task.types';
import { IsZonedDateTime } from './task-fields';

export class CreateTaskDto {
  /** Another owner than the caller needs the `tasks:write` scope. */
  @IsOptional()
  @IsString()
  @Length(1, USER_ID_MAX)
  ownerId?: string;

  @IsOptional()
  @IsString()
  @Length(1, USER_ID_MAX)
  assigneeId?: string | null;

  @IsString()
  @Length(1, TASK_TITLE_MAX)
  title!: string;

  @ValidateIf((_, value) => value !== undefined)
  @IsString()
  @MaxLength(TASK_DESCRIPTION_MAX)
  description?: string;

  @ValidateIf((_, value) => value !== undefined)
  @IsIn(TASK_STATUSES)
  status?: TaskStatus;

  @IsOptional()
  @IsZonedDateTime()
  dueAt?: string | null;
}
