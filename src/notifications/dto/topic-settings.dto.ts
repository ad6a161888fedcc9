import { ApiProperty } from '@nestjs/swagger';
import { IsBoolean } from 'class-validator';

/** PUT /v1/topics/:topic */
export class TopicSettingsDto {
  @ApiProperty({ description: 'Whether users may subscribe themselves', example: true })
  @IsBoolean()
  selfSubscribe!: boolean;
}
