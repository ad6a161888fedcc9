import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, ValidateNested } from 'class-validator';
import { MAX_PUBLISHES_PER_REQUEST } from './limits';
import { PublishNotificationDto } from './publish-notification.dto';

export class PublishBatchDto {
  @ApiProperty({
    type: [PublishNotificationDto],
    minItems: 1,
    maxItems: MAX_PUBLISHES_PER_REQUEST,
    description:
      'Publishes, each as the body of POST /v1/notifications; accepted all together or not at all',
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_PUBLISHES_PER_REQUEST)
  @ValidateNested({ each: true })
  @Type(() => PublishNotificationDto)
  notifications!: PublishNotificationDto[];
}
