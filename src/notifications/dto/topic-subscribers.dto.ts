import { ApiProperty } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsString, Length } from 'class-validator';
import { MAX_RECIPIENTS, USER_ID_MAX } from './limits';

export class TopicSubscribersDto {
  @ApiProperty({
    type: [String],
    minItems: 1,
    maxItems: MAX_RECIPIENTS,
    description: 'User ids, 1-128 characters each',
    example: ['alice', 'bob'],
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_RECIPIENTS)
  @IsString({ each: true })
  @Length(1, USER_ID_MAX, { each: true })
  userIds!: string[];
}
