/** OpenAPI shapes of answers that the code types as interfaces (which carry no metadata). */
import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';

const EXAMPLE_ID = '1b4e28ba-2fa1-4d2b-883f-0016d3cca427';

@ApiSchema({ name: 'ErrorBody' })
export class ErrorBodyDoc {
  @ApiProperty({ example: 400 })
  statusCode!: number;

  @ApiProperty({ example: 'Bad Request' })
  error!: string;

  @ApiProperty({
    oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }],
    example: ['title must be longer than or equal to 1 characters'],
    description: 'What went wrong; validation failures name each offending field',
  })
  message!: string | string[];

  @ApiProperty({
    example: '5f0c6a52-3c55-4c36-a0f5-0d6f1a3f4b2e',
    description: 'The X-Request-Id of the request (echoed in the response header)',
  })
  requestId!: string;
}

@ApiSchema({ name: 'Notification' })
export class NotificationDoc {
  @ApiProperty({ format: 'uuid', example: EXAMPLE_ID })
  id!: string;

  @ApiProperty({ description: 'Strictly increasing per user; the resume cursor', example: 42 })
  seq!: number;

  @ApiProperty({ minLength: 1, maxLength: 128, example: 'alice' })
  userId!: string;

  @ApiProperty({ minLength: 1, maxLength: 100, example: 'invoice.paid' })
  type!: string;

  @ApiProperty({ minLength: 1, maxLength: 200, example: 'Invoice paid' })
  title!: string;

  @ApiProperty({ maxLength: 2000, example: 'Invoice #7 was paid.' })
  body!: string;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'At most 8 KiB as JSON',
    example: { invoiceId: 7 },
  })
  data!: Record<string, unknown>;

  @ApiProperty({ type: String, nullable: true, example: null })
  topic!: string | null;

  @ApiProperty({
    example: 'billing-service',
    description:
      "Who sent it: the publishing token's `sub`; for task notifications, the user whose change " +
      "caused it ('unknown' on rows stored before it was recorded)",
  })
  publisher!: string;

  @ApiProperty({ format: 'date-time', example: '2026-11-21T08:00:00.000Z' })
  createdAt!: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, example: null })
  readAt!: string | null;

  @ApiProperty({ description: 'Published with `critical: true` (preferences ignored)' })
  critical!: boolean;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, example: null })
  archivedAt!: string | null;

  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    example: null,
    description: 'Out of the inbox view and the unread count until then',
  })
  snoozedUntil!: string | null;
}

@ApiSchema({ name: 'InboxPage' })
export class InboxPageDoc {
  @ApiProperty({ type: [NotificationDoc] })
  items!: NotificationDoc[];

  @ApiProperty({
    type: Number,
    nullable: true,
    description: 'Pass as `before` for the next (older) page; null at the end',
    example: 23,
  })
  nextBefore!: number | null;

  @ApiPropertyOptional({
    type: Number,
    nullable: true,
    description: 'With `after`: pass as `after` for the next (newer) page; null at the end',
    example: null,
  })
  nextAfter?: number | null;
}

@ApiSchema({ name: 'PublishAccepted' })
export class PublishAcceptedDoc {
  @ApiProperty({ example: 'pubk-2Xy8Q0m4v5c3bYg6fWq1tA' })
  jobId!: string;

  @ApiProperty({ enum: ['queued'], example: 'queued' })
  status!: 'queued';
}

@ApiSchema({ name: 'PublishBatchAccepted' })
export class PublishBatchAcceptedDoc {
  @ApiProperty({ type: [PublishAcceptedDoc], description: 'One per publish, in request order' })
  items!: PublishAcceptedDoc[];
}

@ApiSchema({ name: 'Count' })
export class CountDoc {
  @ApiProperty({ example: 3 })
  count!: number;
}

@ApiSchema({ name: 'Updated' })
export class UpdatedDoc {
  @ApiProperty({ description: 'Notifications that changed from unread to read', example: 2 })
  updated!: number;
}

@ApiSchema({ name: 'Added' })
export class AddedDoc {
  @ApiProperty({ description: 'Users that were not subscribed before', example: 2 })
  added!: number;
}

@ApiSchema({ name: 'Topic' })
export class TopicDoc {
  @ApiProperty({ example: 'releases' })
  topic!: string;

  @ApiProperty({ description: 'Users may subscribe themselves (PUT /v1/me/topics/:topic)' })
  selfSubscribe!: boolean;

  @ApiProperty({ example: 2, description: 'Current subscribers' })
  subscribers!: number;
}

@ApiSchema({ name: 'Topics' })
export class TopicsDoc {
  @ApiProperty({ type: [String], example: ['billing', 'releases'] })
  topics!: string[];
}

@ApiSchema({ name: 'ChannelSwitches' })
export class ChannelSwitchesDoc {
  @ApiPropertyOptional({ description: 'Shown in the inbox (stored, pushed, counted)' })
  inApp?: boolean;

  @ApiPropertyOptional({ description: 'Sent by Web Push when no tab is open' })
  push?: boolean;
}

@ApiSchema({ name: 'Preferences' })
export class PreferencesDoc {
  @ApiProperty({ type: ChannelSwitchesDoc, example: { inApp: true, push: true } })
  channels!: ChannelSwitchesDoc;

  @ApiProperty({
    type: 'object',
    additionalProperties: { $ref: '#/components/schemas/ChannelSwitches' },
    description:
      'Per type pattern (an exact type or a prefix ending in `.*`); the most specific match wins',
    example: { 'marketing.*': { inApp: false }, 'task.due': { push: false } },
  })
  types!: Record<string, ChannelSwitchesDoc>;
}

@ApiSchema({ name: 'NotificationTypes' })
export class NotificationTypesDoc {
  @ApiProperty({ type: [String], example: ['billing.paid', 'task.due'] })
  types!: string[];
}
