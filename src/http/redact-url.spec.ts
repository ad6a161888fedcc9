import { redactUrl } from './logging';

describe('redactUrl', () => {
  it.each([
    ['/ws?token=abc.def.ghi', '/ws?token=[REDACTED]'],
    ['/ws?a=1&token=abc&b=2', '/ws?a=1&token=[REDACTED]&b=2'],
    ['/ws?TOKEN=abc', '/ws?TOKEN=[REDACTED]'],
    ['/ws?access_token=abc#frag', '/ws?access_token=[REDACTED]#frag'],
    // percent-encoded names, as URLSearchParams (and so the handshake) decodes them
    ['/ws?%74oken=abc', '/ws?%74oken=[REDACTED]'],
    ['/ws?%74%6F%6B%65%6E=abc', '/ws?%74%6F%6B%65%6E=[REDACTED]'],
    ['/ws?access%5Ftoken=abc', '/ws?access%5Ftoken=[REDACTED]'],
    ['/ws?x=1&t%6fken=abc&token=def', '/ws?x=1&t%6fken=[REDACTED]&token=[REDACTED]'],
    ['/ws?token', '/ws?token=[REDACTED]'],
  ])('masks %s', (url, expected) => {
    expect(redactUrl(url)).toBe(expected);
  });

  it('masks every value the handshake would read as the token', () => {
    for (const url of ['/ws?%74oken=SECRET', '/ws?a=b&%54%4fKEN=SECRET', '/ws?token=SECRET']) {
      expect(redactUrl(url)).not.toContain('SECRET');
    }
  });

  it('leaves other URLs as they are', () => {
    for (const url of ['/v1/notifications', '/v1/x?tokens=1&mytoken=2', '/ws?a=%zz', '']) {
      expect(redactUrl(url)).toBe(url);
    }
    expect(redactUrl(undefined)).toBe('');
  });
});
