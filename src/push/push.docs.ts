/** OpenAPI shapes of the push answers. */
import { ApiProperty, ApiSchema } from '@nestjs/swagger';

@ApiSchema({ name: 'VapidPublicKey' })
export class VapidKeyDoc {
  @ApiProperty({ description: 'base64url P-256 public key for PushManager.subscribe()' })
  publicKey!: string;
}

@ApiSchema({ name: 'PushSubscriptionId' })
export class PushSubscriptionIdDoc {
  @ApiProperty({ format: 'uuid' })
  id!: string;
}

@ApiSchema({ name: 'PushSubscription' })
export class PushSubscriptionDoc {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty()
  endpoint!: string;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;
}

@ApiSchema({ name: 'PushSubscriptionList' })
export class PushSubscriptionListDoc {
  @ApiProperty({ type: [PushSubscriptionDoc] })
  items!: PushSubscriptionDoc[];
}
