import jwt from 'jsonwebtoken';
import { generateKeyPairSync, KeyObject } from 'node:crypto';
import { loadConfig } from '../config/app-config';
import { InvalidTokenError, TokenVerifier } from './token-verifier';

const SECRET = 'a-shared-secret-that-is-at-least-32-bytes-long';
const sign = (key: string, options: jwt.SignOptions = {}) =>
  jwt.sign({ sub: 'alice', scope: 'notifications:write' }, key, { expiresIn: 60, ...options });

describe('TokenVerifier', () => {
  it('hands jsonwebtoken a ready KeyObject, not a string it must re-parse per token', async () => {
    const verifier = new TokenVerifier(loadConfig({ JWT_SECRET: SECRET }));
    const key = await verifier.keyFor({ alg: 'HS256' });
    expect(key).toBeInstanceOf(KeyObject);
    expect(key.type).toBe('secret');
    expect(await verifier.keyFor({ alg: 'HS256' })).toBe(key);
  });

  it('verifies a shared-secret token and rejects one signed with another secret', async () => {
    const verifier = new TokenVerifier(loadConfig({ JWT_SECRET: SECRET }));
    const principal = await verifier.verify(sign(SECRET));
    expect(principal.userId).toBe('alice');
    expect(principal.scopes.has('notifications:write')).toBe(true);
    await expect(verifier.verify(sign(`${SECRET}-other`))).rejects.toBeInstanceOf(
      InvalidTokenError,
    );
  });

  it('verifies with a configured public key as a KeyObject', async () => {
    const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const publicPem = pair.publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const privatePem = pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const verifier = new TokenVerifier(loadConfig({ JWT_PUBLIC_KEY: publicPem }));
    expect((await verifier.keyFor({ alg: 'RS256' })).type).toBe('public');
    await expect(verifier.verify(sign(privatePem, { algorithm: 'RS256' }))).resolves.toMatchObject({
      userId: 'alice',
    });
  });
});
