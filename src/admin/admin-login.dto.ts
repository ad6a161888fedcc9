import { ApiProperty } from '@nestjs/swagger';
import { IsNotEmpty, IsString, MaxLength } from 'class-validator';

export class AdminLoginDto {
  @ApiProperty({ description: 'A JWT with the `admin` scope', maxLength: 8192 })
  @IsString()
  @IsNotEmpty()
  @MaxLength(8192)
  token!: string;
}
