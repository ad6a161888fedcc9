import { IsOptional, IsString, Length, MaxLength } from 'class-validator';
import { BODY_MAX, TITLE_MAX } from '../../notifications/dto/limits';

/** A test notification the demo page sends to its own user. */
export class DemoPublishDto {
  @IsString()
  @Length(1, TITLE_MAX)
  title!: string;

  @IsOptional()
  @IsString()
  @MaxLength(BODY_MAX)
  body?: string;
}
