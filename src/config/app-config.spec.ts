import { ConfigError, DEVELOPMENT_JWT_SECRET, loadConfig } from './app-config';

const errorOf = (env: Record<string, string>): string => {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a ConfigError');
};

describe('loadConfig', () => {
  it('works with no variables at all in development', () => {
    const config = loadConfig({});
    expect(config.port).toBe(3000);
    expect(config.database.url).toBe('postgres://postgres@127.0.0.1:5432/herald');
    expect(config.redis.url).toBe('redis://127.0.0.1:6379');
    expect(config.jwt.key).toEqual({
      kind: 'secret',
      secret: DEVELOPMENT_JWT_SECRET,
      algorithms: ['HS256'],
    });
    expect(config.allowedOrigins).toBeNull();
    expect(config.demo).toBe(true);
  });

  it('names the variable that is wrong', () => {
    expect(errorOf({ PORT: 'eighty' })).toContain('PORT');
    expect(errorOf({ WS_MAX_FRAMES_PER_SECOND: '0' })).toContain('WS_MAX_FRAMES_PER_SECOND');
    expect(errorOf({ REDIS_URL: 'not a url' })).toContain('REDIS_URL');
    expect(errorOf({ JWT_SECRET: 'short' })).toContain('JWT_SECRET');
  });

  it('refuses a missing, short or development secret in production', () => {
    expect(errorOf({ NODE_ENV: 'production' })).toContain('JWT_SECRET');
    expect(errorOf({ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(31) })).toContain(
      'at least 32 bytes',
    );
    expect(errorOf({ NODE_ENV: 'production', JWT_SECRET: DEVELOPMENT_JWT_SECRET })).toContain(
      'development secret',
    );
    const config = loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'p'.repeat(32) });
    expect(config.allowedOrigins).toEqual([]);
    expect(config.demo).toBe(false);
  });

  it('pins the algorithm to the key type and refuses two key sources', () => {
    expect(
      errorOf({ JWT_SECRET: 's'.repeat(32), JWT_JWKS_URL: 'https://idp.example/jwks' }),
    ).toContain('exactly one');
    expect(errorOf({ JWT_PUBLIC_KEY: 'not a pem' })).toContain('JWT_PUBLIC_KEY');
    expect(loadConfig({ JWT_JWKS_URL: 'https://idp.example/jwks' }).jwt.key.algorithms).toEqual([
      'RS256',
      'ES256',
    ]);
  });

  it('parses ALLOWED_ORIGINS', () => {
    expect(
      loadConfig({ ALLOWED_ORIGINS: 'https://a.example, https://b.example' }).allowedOrigins,
    ).toEqual(['https://a.example', 'https://b.example']);
  });
});
