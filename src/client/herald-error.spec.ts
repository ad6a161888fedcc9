import { HeraldError } from './herald-error';

const headers = (entries: Record<string, string> = {}) => new Headers(entries);

describe('HeraldError.fromResponse', () => {
  it("reads Herald's error body: status, code, messages, requestId, extra fields", () => {
    const body = {
      statusCode: 409,
      error: 'Conflict',
      message: 'the task was changed meanwhile; its current version is 3',
      requestId: 'req-1',
      currentVersion: 3,
    };
    const error = HeraldError.fromResponse(
      'PATCH /v1/tasks/t1',
      409,
      headers({ etag: '"3"' }),
      JSON.stringify(body),
    );
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({
      name: 'HeraldError',
      status: 409,
      code: 'conflict',
      messages: [body.message],
      requestId: 'req-1',
      extra: { currentVersion: 3 },
      currentVersion: 3,
    });
    expect(error.message).toBe(`PATCH /v1/tasks/t1: 409 ${body.message}`);
    expect(error.headers.get('etag')).toBe('"3"');
  });

  it('keeps every validation message and names the code in snake case', () => {
    const error = HeraldError.fromResponse(
      'POST /v1/notifications',
      400,
      headers(),
      JSON.stringify({
        statusCode: 400,
        error: 'Bad Request',
        message: ['title must be a string', 'property extra should not exist'],
        requestId: 'r',
      }),
    );
    expect(error.code).toBe('bad_request');
    expect(error.messages).toEqual(['title must be a string', 'property extra should not exist']);
    expect(error.extra).toEqual({});
    expect(error.currentVersion).toBeUndefined();
  });

  it('reads Retry-After as seconds or as a date, in milliseconds', () => {
    const body = JSON.stringify({
      statusCode: 429,
      error: 'Too Many Requests',
      message: 'slow down',
      requestId: 'r',
    });
    const inSeconds = HeraldError.fromResponse(
      'GET /x',
      429,
      headers({ 'retry-after': '2' }),
      body,
    );
    expect(inSeconds.code).toBe('too_many_requests');
    expect(inSeconds.retryAfterMs).toBe(2000);
    const at = new Date(Date.now() + 60_000).toUTCString();
    const asDate = HeraldError.fromResponse('GET /x', 503, headers({ 'retry-after': at }), body);
    expect(asDate.retryAfterMs).toBeGreaterThan(55_000);
    expect(asDate.retryAfterMs).toBeLessThanOrEqual(60_000);
    expect(HeraldError.fromResponse('GET /x', 429, headers(), body).retryAfterMs).toBeUndefined();
  });

  it('falls back to the status and X-Request-Id when the body is not an error body', () => {
    const error = HeraldError.fromResponse(
      'GET /v1/notifications',
      502,
      headers({ 'x-request-id': 'from-header' }),
      '<html>Bad Gateway</html>',
    );
    expect(error).toMatchObject({
      status: 502,
      code: 'bad_gateway',
      messages: ['<html>Bad Gateway</html>'],
      requestId: 'from-header',
    });
    expect(HeraldError.fromResponse('GET /x', 500, headers(), '').requestId).toBe('');
  });
});

describe('HeraldError.fromFailure', () => {
  it('is status 0, code network, naming the cause', () => {
    const cause = Object.assign(new TypeError('fetch failed'), {
      cause: { code: 'ECONNREFUSED' },
    });
    const error = HeraldError.fromFailure('GET /health/live', cause);
    expect(error).toMatchObject({ status: 0, code: 'network', messages: ['ECONNREFUSED'] });
    expect(error.cause).toBe(cause);
    expect(
      HeraldError.fromFailure('GET /x', new DOMException('t', 'TimeoutError')).messages,
    ).toEqual(['TimeoutError']);
  });
});
