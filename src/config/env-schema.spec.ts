import { z } from 'zod';
import { bool, commaList, envSchema, fromEnv, int, optionalBool, trimmedText } from './env-schema';

describe('envSchema', () => {
  const tree = {
    port: fromEnv('PORT', int(3000, 0, 65535)),
    db: {
      url: fromEnv('DB_URL', z.string().default('pg://local')),
      pool: fromEnv('POOL', int(5, 1, 9)),
    },
  };

  it('reads flat variables into the nested shape of the tree, defaults included', () => {
    expect(envSchema(tree).parse({ POOL: '7', UNRELATED: 'x' })).toEqual({
      port: 3000,
      db: { url: 'pg://local', pool: 7 },
    });
  });

  it('names the variable, not the field, in its issues', () => {
    const result = envSchema(tree).safeParse({ POOL: '10' });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => issue.path)).toEqual([['POOL']]);
  });

  it('refuses a variable declared twice', () => {
    expect(() =>
      envSchema({ a: fromEnv('X', int(1, 0, 9)), b: { c: fromEnv('X', bool(true)) } }),
    ).toThrow('X is declared twice');
  });

  it('reads booleans, optional booleans, lists and trimmed text', () => {
    const schema = envSchema({
      on: fromEnv('ON', bool(false)),
      maybe: fromEnv('MAYBE', optionalBool),
      list: fromEnv('LIST', commaList),
      text: fromEnv('TEXT', trimmedText),
    });
    expect(schema.parse({})).toEqual({ on: false });
    expect(schema.parse({ ON: 'yes', MAYBE: '0', LIST: ' a, ,b ', TEXT: '  t ' })).toEqual({
      on: true,
      maybe: false,
      list: ['a', 'b'],
      text: 't',
    });
    expect(schema.parse({ LIST: '  ', TEXT: ' ' })).toEqual({ on: false });
    expect(schema.safeParse({ ON: 'maybe' }).success).toBe(false);
  });
});
