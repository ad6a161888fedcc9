import jwt from 'jsonwebtoken';
import { generateKeyPairSync, KeyObject } from 'node:crypto';
import { loadConfig } from '../config/app-config';
import { DEMO_ISSUER, DEMO_KEY_ID, DemoIdentity } from './demo-identity';
import { InvalidTokenError, TokenVerifier } from './token-verifier';

const SECRET = 'a-shared-secret-that-is-at-least-32-bytes-long';
const sign = (key: string, options: jwt.SignOptions = {}) =>
  jwt.sign({ sub: 'alice', scope: 'notifications:write' }, key, { expiresIn: 60, ...options });

function verifierFor(env: Record<string, string>): TokenVerifier {
  const config = loadConfig(env);
  return new TokenVerifier(config, new DemoIdentity(config));
}

describe('TokenVerifier', () => {
  it('hands jsonwebtoken a ready KeyObject, not a string it must re-parse per token', async () => {
    const verifier = verifierFor({ JWT_SECRET: SECRET });
    const key = await verifier.keyFor({ alg: 'HS256' });
    expect(key).toBeInstanceOf(KeyObject);
    expect(key.type).toBe('secret');
    expect(await verifier.keyFor({ alg: 'HS256' })).toBe(key);
  });

  it('verifies a shared-secret token and rejects one signed with another secret', async () => {
    const verifier = verifierFor({ JWT_SECRET: SECRET });
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
    const verifier = verifierFor({
      JWT_PUBLIC_KEY: publicPem,
      JWT_AUDIENCE: 'herald',
    });
    expect((await verifier.keyFor({ alg: 'RS256' })).type).toBe('public');
    await expect(
      verifier.verify(sign(privatePem, { algorithm: 'RS256', audience: 'herald' })),
    ).resolves.toMatchObject({
      userId: 'alice',
    });
  });
});

describe('demo tokens', () => {
  const development = { NODE_ENV: 'development', JWT_SECRET: SECRET };
  const config = loadConfig(development);
  const demo = new DemoIdentity(config);
  const verifier = new TokenVerifier(config, demo);

  it('are demo:<name> users without scopes, never the real user of that name', async () => {
    const minted = demo.mint('alice');
    expect(minted.userId).toBe('demo:alice');
    const principal = await verifier.verify(minted.token);
    expect(principal.userId).toBe('demo:alice');
    expect(principal.scopes.size).toBe(0);
    expect(verifier.isDemoToken(minted.token)).toBe(true);
    expect(verifier.isDemoToken(sign(SECRET))).toBe(false);
  });

  it('refuses a real-key token in the demo namespace, however it is dressed', async () => {
    for (const options of [
      {},
      { issuer: DEMO_ISSUER },
      { issuer: DEMO_ISSUER, keyid: DEMO_KEY_ID }, // claims to be a demo token: demo key fails
    ]) {
      const token = jwt.sign({ sub: 'demo:alice' }, SECRET, { expiresIn: 60, ...options });
      await expect(verifier.verify(token)).rejects.toBeInstanceOf(InvalidTokenError);
    }
    // with the demo off, a demo-looking token goes to the configured key and is refused too
    const off = verifierFor({ JWT_SECRET: SECRET });
    const token = jwt.sign({ sub: 'demo:alice' }, SECRET, { expiresIn: 60, keyid: DEMO_KEY_ID });
    await expect(off.verify(token)).rejects.toThrow('reserved for demo users');
  });

  it("refuses another process's demo token, and one made with the configured secret", async () => {
    const other = new DemoIdentity(config).mint('alice').token;
    await expect(verifier.verify(other)).rejects.toBeInstanceOf(InvalidTokenError);
    const forged = jwt.sign({ sub: 'demo:alice', scope: 'admin' }, SECRET, {
      expiresIn: 60,
      keyid: DEMO_KEY_ID,
      issuer: DEMO_ISSUER,
    });
    await expect(verifier.verify(forged)).rejects.toBeInstanceOf(InvalidTokenError);
    await expect(verifierFor({ JWT_SECRET: SECRET }).verify(demo.mint('a').token)).rejects.toThrow(
      InvalidTokenError,
    );
  });
});
