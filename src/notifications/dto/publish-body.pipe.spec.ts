import { BadRequestException, ValidationPipe, type ArgumentMetadata } from '@nestjs/common';
import { PublishBatchDto } from './publish-batch.dto';
import { isValidPublish, isValidPublishBatch, PublishBodyPipe } from './publish-body.pipe';
import { PublishNotificationDto } from './publish-notification.dto';

const full = new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true });
const body: ArgumentMetadata = { type: 'body', metatype: PublishNotificationDto };

async function fullAccepts(value: unknown, metatype: ArgumentMetadata['metatype']) {
  try {
    await full.transform(structuredClone(value), { type: 'body', metatype });
    return true;
  } catch (error) {
    if (error instanceof BadRequestException) return false;
    throw error;
  }
}

const valid = {
  userIds: ['ann', 'bo'],
  type: 'invoice.paid',
  title: 'Invoice paid',
  body: 'Invoice #7 was paid.',
  data: { invoiceId: 7, nested: { a: [1, 2] } },
  idempotencyKey: 'inv-7',
};

/** Values to put in each field: each is right or wrong for some field. */
const samples: unknown[] = [
  undefined,
  null,
  '',
  'x',
  'a'.repeat(100),
  'a'.repeat(101),
  'a'.repeat(128),
  'a'.repeat(129),
  'a'.repeat(200),
  'a'.repeat(201),
  'a'.repeat(2000),
  'a'.repeat(2001),
  '\uFE0F',
  '😀'.repeat(101),
  'bad topic',
  'billing:eu-1',
  7,
  true,
  [],
  ['ann'],
  [''],
  ['a'.repeat(129)],
  [7],
  Array.from({ length: 10_001 }, (_, i) => `u${i}`),
  {},
  { k: 'v'.repeat(9000) },
  { __proto__: null, k: 1 },
  [{}],
];

const fields = Object.keys(valid).concat('topic', 'extra');

describe('PublishBodyPipe fast path', () => {
  it('never accepts what the decorators refuse, on every field × sample', async () => {
    let fastAccepted = 0;
    for (const field of fields) {
      for (const sample of samples) {
        const candidate: Record<string, unknown> = { ...valid, [field]: sample };
        if (sample === undefined) delete candidate[field];
        const fast = isValidPublish(candidate);
        const decorators = await fullAccepts(candidate, PublishNotificationDto);
        if (fast) {
          fastAccepted += 1;
          expect({ field, sample, decorators }).toEqual({ field, sample, decorators: true });
        }
      }
    }
    expect(fastAccepted).toBeGreaterThan(10); // the fast path is taken, not just refused
  });

  it('takes the fast path for ordinary bodies, and a topic instead of userIds', () => {
    expect(isValidPublish(valid)).toBe(true);
    expect(isValidPublish({ topic: 'billing', type: 't', title: 't' })).toBe(true);
    expect(isValidPublishBatch({ notifications: [valid, valid] })).toBe(true);
    expect(isValidPublishBatch({ notifications: [] })).toBe(false);
    expect(isValidPublishBatch({ notifications: [valid, { ...valid, extra: 1 }] })).toBe(false);
  });

  it('answers a refused body with the full pipe’s 400, naming the fields', async () => {
    const pipe = new PublishBodyPipe(PublishNotificationDto);
    const bad = { ...valid, title: '', extra: 1 };
    const expected = await full.transform(bad, body).catch((error: unknown) => error);
    const got = await pipe.transform(bad, body).catch((error: unknown) => error);
    expect(got).toBeInstanceOf(BadRequestException);
    expect((got as BadRequestException).getResponse()).toEqual(
      (expected as BadRequestException).getResponse(),
    );
    expect(JSON.stringify((got as BadRequestException).getResponse())).toContain('title');
    expect(JSON.stringify((got as BadRequestException).getResponse())).toContain('extra');
  });

  it('hands an accepted body on as parsed, no class instance', async () => {
    const pipe = new PublishBodyPipe(PublishBatchDto);
    const batch = { notifications: [valid] };
    await expect(pipe.transform(batch, { type: 'body', metatype: PublishBatchDto })).resolves.toBe(
      batch,
    );
  });
});
