import { ArrayMaxSize, ArrayMinSize, IsArray, IsString, Length } from 'class-validator';
import { MAX_RECIPIENTS, USER_ID_MAX } from './limits';

export class TopicSubscribersDto {
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_RECIPIENTS)
  @IsString({ each: true })
  @Length(1, USER_ID_MAX, { each: true })
  userIds!: string[];
}
