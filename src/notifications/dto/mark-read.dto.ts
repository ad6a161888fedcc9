import { ApiProperty } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsUUID } from 'class-validator';
import { MAX_IDS_PER_READ } from './limits';

export class MarkReadDto {
  @ApiProperty({
    type: [String],
    format: 'uuid',
    minItems: 1,
    maxItems: MAX_IDS_PER_READ,
    example: ['1b4e28ba-2fa1-4d2b-883f-0016d3cca427'],
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_IDS_PER_READ)
  @IsUUID('all', { each: true })
  ids!: string[];
}
