import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
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
  @ApiPropertyOptional({
    minLength: 1,
    maxLength: USER_ID_MAX,
    description: 'The owner, when not the caller (scope `tasks:write`)',
  })
  @IsOptional()
  @IsString()
  @Length(1, USER_ID_MAX)
  ownerId?: string;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    minLength: 1,
    maxLength: USER_ID_MAX,
    description: 'Notified with `task.assigned`',
  })
  @IsOptional()
  @IsString()
  @Length(1, USER_ID_MAX)
  assigneeId?: string | null;

  @ApiProperty({ minLength: 1, maxLength: TASK_TITLE_MAX, example: 'Review the draft' })
  @IsString()
  @Length(1, TASK_TITLE_MAX)
  title!: string;

  @ApiPropertyOptional({ maxLength: TASK_DESCRIPTION_MAX })
  @ValidateIf((_, value) => value !== undefined)
  @IsString()
  @MaxLength(TASK_DESCRIPTION_MAX)
  description?: string;

  @ApiPropertyOptional({ enum: TASK_STATUSES, default: 'open' })
  @ValidateIf((_, value) => value !== undefined)
  @IsIn(TASK_STATUSES)
  status?: TaskStatus;

  @ApiPropertyOptional({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'With a time zone; owner and assignee get `task.due` then',
    example: '2030-01-31T17:00:00Z',
  })
  @IsOptional()
  @IsZonedDateTime()
  dueAt?: string | null;
}
