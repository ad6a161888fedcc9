import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Length, MaxLength, ValidateIf } from 'class-validator';
import { USER_ID_MAX } from '../../notifications/dto/limits';
import {
  TASK_DESCRIPTION_MAX,
  TASK_STATUSES,
  TASK_TITLE_MAX,
  type TaskStatus,
} from '../task.types';
import { IsZonedDateTime, TaskVersion } from './task-fields';

/** Absent fields stay as they are; `null` clears `assigneeId` or `dueAt`. */
export class UpdateTaskDto {
  @ApiPropertyOptional({ minLength: 1, maxLength: TASK_TITLE_MAX })
  @ValidateIf((_, value) => value !== undefined)
  @IsString()
  @Length(1, TASK_TITLE_MAX)
  title?: string;

  @ApiPropertyOptional({ maxLength: TASK_DESCRIPTION_MAX })
  @ValidateIf((_, value) => value !== undefined)
  @IsString()
  @MaxLength(TASK_DESCRIPTION_MAX)
  description?: string;

  @ApiPropertyOptional({ enum: TASK_STATUSES, description: 'The assignee may change this' })
  @ValidateIf((_, value) => value !== undefined)
  @IsIn(TASK_STATUSES)
  status?: TaskStatus;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    minLength: 1,
    maxLength: USER_ID_MAX,
    description: 'null: no assignee (the assignee may set null to hand the task back)',
  })
  @IsOptional()
  @IsString()
  @Length(1, USER_ID_MAX)
  assigneeId?: string | null;

  @ApiPropertyOptional({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'With a time zone; null clears it (and its reminder)',
  })
  @IsOptional()
  @IsZonedDateTime()
  dueAt?: string | null;

  @TaskVersion('change')
  version?: number;
}

/** The fields an assignee who does not own the task may change (and `assigneeId` to null). */
export const ASSIGNEE_MAY_CHANGE: ReadonlySet<string> = new Set(['status']);
