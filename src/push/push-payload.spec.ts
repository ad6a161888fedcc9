import { MAX_PUSH_PLAINTEXT, pushPayload, type PushContent } from './push-payload';

const base: PushContent = {
  id: '5f0c5c3e-9a4e-4a55-9d0b-6f7b3c1d2e11',
  seq: 7,
  type: 'invoice.paid',
  title: 'Invoice paid',
  body: 'Thanks!',
  data: { invoiceId: 7 },
  createdAt: '2026-12-01T21:00:00.000Z',
};

describe('pushPayload', () => {
  it('carries the notification unchanged when it fits', () => {
    expect(JSON.parse(pushPayload(base))).toEqual(base);
  });

  it('drops data but keeps its url, then cuts the body, to fit 4 KiB encrypted', () => {
    const big = {
      ...base,
      body: '€'.repeat(2000), // 6,000 bytes of UTF-8
      data: { url: 'https://app.example.com/invoices/7', blob: 'x'.repeat(8000) },
    };
    const json = pushPayload(big);
    expect(Buffer.byteLength(json)).toBeLessThanOrEqual(MAX_PUSH_PLAINTEXT);
    const parsed = JSON.parse(json) as PushContent & { truncated?: boolean };
    expect(parsed).toMatchObject({ id: base.id, seq: 7, title: 'Invoice paid', truncated: true });
    expect(parsed.data).toEqual({ url: 'https://app.example.com/invoices/7' });
    expect(parsed.body.length).toBeGreaterThan(1000);
    expect(big.body.startsWith(parsed.body)).toBe(true);
  });

  it('never splits a surrogate pair and handles characters JSON escapes', () => {
    for (const unit of ['😀', '"', '\u0001']) {
      const json = pushPayload({ ...base, title: unit.repeat(200), body: unit.repeat(2000) });
      expect(Buffer.byteLength(json)).toBeLessThanOrEqual(MAX_PUSH_PLAINTEXT);
      const parsed = JSON.parse(json) as PushContent;
      expect(parsed.body).toBe(unit.repeat(Array.from(parsed.body).length));
    }
  });
});
