/** The JSON schemas the AsyncAPI documents (asyncapi.ts, asyncapi-sse.ts) are built from. */
export type Schema = Record<string, unknown>;

export const obj = (
  properties: Record<string, Schema>,
  required = Object.keys(properties),
): Schema => ({
  type: 'object',
  properties,
  required,
});
export const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });

export const NOTIFICATION = obj(
  {
    id: { type: 'string', format: 'uuid' },
    seq: { type: 'integer', description: 'strictly increasing per user; the resume cursor' },
    userId: { type: 'string' },
    type: { type: 'string' },
    title: { type: 'string' },
    body: { type: 'string' },
    data: { type: 'object' },
    topic: { type: ['string', 'null'] },
    publisher: {
      type: 'string',
      description: "the publishing token's sub; for task notifications, the acting user",
    },
    createdAt: { type: 'string', format: 'date-time' },
    readAt: { type: ['string', 'null'], format: 'date-time' },
    critical: { type: 'boolean' },
    archivedAt: { type: ['string', 'null'], format: 'date-time' },
    snoozedUntil: { type: ['string', 'null'], format: 'date-time' },
  },
  [
    'id',
    'seq',
    'userId',
    'type',
    'title',
    'body',
    'data',
    'topic',
    'publisher',
    'createdAt',
    'readAt',
  ],
);
export const IDS = { type: 'array', items: { type: 'string', format: 'uuid' } };
export const ALL = {
  type: 'boolean',
  description: 'true after an "all" change (ids may then be empty)',
};
export const SWITCHES = obj({ inApp: { type: 'boolean' }, push: { type: 'boolean' } }, []);
