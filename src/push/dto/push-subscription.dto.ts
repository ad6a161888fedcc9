import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsDefined,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';

/** P-256 uncompressed point (65 bytes, 0x04 first) in base64url: 87 characters, 'B' first. */
const P256DH = /^B[A-Za-z0-9_-]{86}$/;
/** 16 bytes in base64url: 22 characters (padding optional). */
const AUTH = /^[A-Za-z0-9_-]{21}[AQgw](==)?$/;

export class PushSubscriptionKeysDto {
  @ApiProperty({ description: "The browser's P-256 ECDH public key, base64url (65 bytes)" })
  @IsString()
  @Matches(P256DH, { message: 'keys.p256dh must be a base64url P-256 public key (65 bytes)' })
  p256dh!: string;

  @ApiProperty({ description: 'The 16-byte auth secret, base64url' })
  @IsString()
  @Matches(AUTH, { message: 'keys.auth must be a base64url 16-byte secret' })
  auth!: string;
}

/** The browser's `PushSubscription.toJSON()`. */
export class CreatePushSubscriptionDto {
  @ApiProperty({
    maxLength: 2048,
    example: 'https://fcm.googleapis.com/fcm/send/dpH5lCsTSSM:APA91bH…',
    description: 'Must be https: on an origin in WEB_PUSH_ALLOWED_ORIGINS, never an internal host',
  })
  @IsString()
  @MaxLength(2048)
  endpoint!: string;

  @ApiPropertyOptional({ type: Number, nullable: true, description: 'Epoch ms, or null' })
  @IsOptional()
  @IsInt()
  @Min(0)
  expirationTime?: number | null;

  @ApiProperty({ type: PushSubscriptionKeysDto })
  @IsDefined()
  @IsObject()
  @ValidateNested()
  @Type(() => PushSubscriptionKeysDto)
  keys!: PushSubscriptionKeysDto;
}
