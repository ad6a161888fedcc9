import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, Max, Min, ValidateIf } from 'class-validator';

/** The optional body of a task DELETE: without a version the delete is unconditional. */
export class DeleteTaskDto {
  @ApiPropertyOptional({
    type: 'integer',
    description:
      'The version the delete is based on (or send it as `If-Match`); a stale one gets 409',
    minimum: 1,
    maximum: 2 ** 31 - 1,
    example: 3,
  })
  @ValidateIf((_, value) => value !== undefined)
  @IsInt()
  @Min(1)
  @Max(2 ** 31 - 1)
  version?: number;
}
