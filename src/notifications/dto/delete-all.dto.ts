import { ApiProperty } from '@nestjs/swagger';
import { IsIn } from 'class-validator';

export const DELETE_VIEWS = ['inbox', 'archived', 'snoozed', 'all'] as const;

export class DeleteAllDto {
  @ApiProperty({
    enum: DELETE_VIEWS,
    description: 'Which view to empty (named explicitly: a deletion is for good)',
    example: 'archived',
  })
  @IsIn(DELETE_VIEWS)
  view!: (typeof DELETE_VIEWS)[number];
}
