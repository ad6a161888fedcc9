/**
 * `npm run vapid`: prints a fresh VAPID key pair for Web Push, as environment lines to paste
 * into the deployment's configuration (keep the private key secret; changing the pair
 * invalidates every stored subscription).
 */
import webpush from 'web-push';

const { publicKey, privateKey } = webpush.generateVAPIDKeys();
process.stdout.write(
  `WEB_PUSH_VAPID_PUBLIC_KEY=${publicKey}\nWEB_PUSH_VAPID_PRIVATE_KEY=${privateKey}\n` +
    'WEB_PUSH_SUBJECT=mailto:ops@example.com\n',
);
