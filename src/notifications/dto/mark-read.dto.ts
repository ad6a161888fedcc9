import { ArrayMaxSize, ArrayMinSize, IsArray, IsUUID } from 'class-validator';
import { MAX_IDS_PER_READ } from './limits';

export class MarkReadDto {
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_IDS_PER_READ)
  @IsUUID('all', { each: true })
  ids!: string[];
}
