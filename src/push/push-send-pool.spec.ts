import { createECDH, randomBytes } from 'node:crypto';
import webpush from 'web-push';
import type { AppConfig } from '../config/app-config';
import { PushSendPool } from './push-send-pool';
import type { SendTask } from './push-send.worker';

/** The pool runs the real worker file (type-stripped TypeScript here, JavaScript in the build). */
describe('PushSendPool', () => {
  const vapid = { ...webpush.generateVAPIDKeys(), subject: 'mailto:ops@example.com' };
  const pool = new PushSendPool({
    webPush: { allowPrivateHosts: false, timeoutMs: 2000 },
  } as unknown as AppConfig);
  afterAll(() => pool.onModuleDestroy());

  const task = (endpoint: string, keys?: SendTask['keys']): SendTask => {
    const ecdh = createECDH('prime256v1');
    ecdh.generateKeys();
    return {
      endpoint,
      keys: keys ?? {
        p256dh: ecdh.getPublicKey().toString('base64url'),
        auth: randomBytes(16).toString('base64url'),
      },
      payload: '{"title":"hi"}',
      vapid,
      ttlSeconds: 60,
      urgency: 'normal',
      topic: 'abc',
    };
  };

  it('refuses to connect to a name that resolves to an internal address', async () => {
    // The worker loads endpoint-policy's DNS guard itself: a wrong path would surface here.
    await expect(pool.send(task('https://localhost:9/push/1'))).resolves.toMatchObject({
      code: 'EPUSHINTERNAL',
      stage: 'request',
    });
  });

  it('answers a key no browser makes as an encryption failure, not a request', async () => {
    const bad = {
      p256dh: Buffer.alloc(65, 1).toString('base64url'),
      auth: 'AAAAAAAAAAAAAAAAAAAAAA',
    };
    await expect(pool.send(task('https://push.example.com/1', bad))).resolves.toMatchObject({
      stage: 'encrypt',
    });
  });
});
