import {
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Length,
  Max,
  MaxLength,
  Min,
  ValidateIf,
} from 'class-validator';
import { USER_ID_MAX } from '../../notifications/dto/limits';
import {
  TASK_DESCRIPTION_MAX,
  TASK_STATUSES,
  TASK_TITLE_MAX,
  type TaskStatus,
} from '../task.types';
import { IsZonedDateTime } from './task-fields';

/** Absent fields stay as they are; `null` clears `assigneeId` or `dueAt`. */
export class UpdateTaskDto {
  @ValidateIf((_, value) => value !== undefined)
  @IsString()
  @Length(1, TASK_TITLE_MAX)
  title?: string;

  @ValidateIf((_, value) => value !== undefined)
  @IsString()
  @MaxLength(TASK_DESCRIPTION_MAX)
  description?: string;

  @ValidateIf((_, value) => value !== undefined)
  @IsIn(TASK_STATUSES)
  status?: TaskStatus;

  @IsOptional()
  @IsString()
  @Length(1, USER_ID_MAX)
  assigneeId?: string | null;

  @IsOptional()
  @IsZonedDateTime()
  dueAt?: string | null;

  /** The version the change is based on (or send it as `If-Match`). */
  @ValidateIf((_, value) => value !== undefined)
  @IsInt()
  @Min(1)
  @Max(2 ** 31 - 1)
  version?: number;
}

/** The fields an assignee who does not own the task may change (and `assigneeId` to null). */
export const ASSIGNEE_MAY_CHANGE: ReadonlySet<string> = new Set(['status']);
