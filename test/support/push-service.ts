/**
 * A Web Push service of the tests' own, on 127.0.0.1 over HTTPS with a self-signed certificate
 * (the app under test trusts it through WEB_PUSH_EXTRA_CA; a spawned Herald process could use
 * NODE_EXTRA_CA_CERTS instead). It checks each request's VAPID `Authorization` (RFC 8292) and
 * decrypts its aes128gcm body (RFC 8291/8188) with the subscription's private key, written
 * here from the RFCs with node:crypto, so a test sees exactly what a browser would.
 *
 * `decryptEvery: n` (the benchmark's, default 1) decrypts one request in n and checks only the
 * framing of the others: a push service never decrypts, and a browser decrypts only its own, so
 * on a machine shared with the sender this keeps the stand-in's CPU to what a test needs. A
 * VAPID JWT that verified once is not verified again (the same bytes verify the same way); its
 * expiry is checked on every request.
 */
import { execFileSync } from 'node:child_process';
import {
  createDecipheriv,
  createECDH,
  createHmac,
  createPublicKey,
  randomBytes,
  verify,
  type ECDH,
} from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface BrowserSubscription {
  endpoint: string;
  keys: { p256dh: string; auth: string };
}

export interface ReceivedPush {
  path: string;
  at: number;
  headers: Record<string, string | string[] | undefined>;
  bodyBytes: number;
  /** The decrypted JSON, or null when decryption failed (see `problem`) or was left out. */
  payload: Record<string, unknown> | null;
  /** What was wrong with the request (VAPID or encryption); null when all checked out. */
  problem: string | null;
  /** The body was decrypted (always, unless `decryptEvery` > 1 left it out). */
  decrypted: boolean;
}

export interface PushServiceOptions {
  /** Decrypt one request in this many (1: all). */
  decryptEvery?: number;
}

/** Verified VAPID JWTs kept, at most (a sender signs one per origin and reuses it for hours). */
const VERIFIED_JWTS_MAX = 64;

export interface Answer {
  status: number;
  headers?: Record<string, string>;
}

interface Client {
  ecdh: ECDH;
  auth: Buffer;
}

export class TestPushService {
  readonly received: ReceivedPush[] = [];
  readonly certPem: string;
  origin = '';
  private readonly server: Server;
  private readonly clients = new Map<string, Client>();
  private readonly answers = new Map<string, Answer[]>();
  /** JWT → its `exp` (seconds), for JWTs whose signature and claims verified. */
  private readonly verifiedJwts = new Map<string, number>();
  private next = 0;
  private requests = 0;

  private constructor(
    key: string,
    cert: string,
    private readonly vapidPublicKey: string,
    private readonly subject: string,
    private readonly decryptEvery: number,
  ) {
    this.certPem = cert;
    this.server = createServer({ key, cert }, (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const path = req.url ?? '';
        const body = Buffer.concat(chunks);
        const record: ReceivedPush = {
          path,
          at: Date.now(),
          headers: req.headers,
          bodyBytes: body.length,
          payload: null,
          problem: null,
          decrypted: false,
        };
        try {
          this.checkVapid(String(req.headers.authorization ?? ''));
          const client = this.clients.get(path);
          if (!client) throw new Error(`no subscription at ${path}`);
          if (req.headers['content-encoding'] !== 'aes128gcm') throw new Error('not aes128gcm');
          if (++this.requests % this.decryptEvery === 0) {
            record.decrypted = true;
            record.payload = JSON.parse(decrypt(body, client).toString('utf8')) as Record<
              string,
              unknown
            >;
          } else {
            checkFraming(body);
          }
        } catch (error) {
          record.problem = (error as Error).message;
        }
        this.received.push(record);
        const answer = this.answers.get(path)?.shift() ?? { status: 201 };
        res.writeHead(answer.status, answer.headers).end();
      });
    });
  }

  static async start(
    vapidPublicKey: string,
    subject: string,
    options: PushServiceOptions = {},
  ): Promise<TestPushService> {
    const decryptEvery = options.decryptEvery ?? 1;
    if (!Number.isInteger(decryptEvery) || decryptEvery < 1) {
      throw new Error(`decryptEvery must be a whole number ≥ 1, not ${decryptEvery}`);
    }
    const dir = mkdtempSync(join(tmpdir(), 'herald-push-'));
    try {
      execFileSync('openssl', [
        'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
        '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '2',
        '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1',
      ], { stdio: 'ignore' }); // prettier-ignore
      const service = new TestPushService(
        readFileSync(join(dir, 'key.pem'), 'utf8'),
        readFileSync(join(dir, 'cert.pem'), 'utf8'),
        vapidPublicKey,
        subject,
        decryptEvery,
      );
      await new Promise<void>((resolve) => service.server.listen(0, '127.0.0.1', resolve));
      service.origin = `https://127.0.0.1:${(service.server.address() as AddressInfo).port}`;
      return service;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  /** A new browser subscription on this service (its own keys, as PushManager makes them). */
  subscription(): BrowserSubscription {
    const ecdh = createECDH('prime256v1');
    ecdh.generateKeys();
    const auth = randomBytes(16);
    const path = `/push/${++this.next}-${randomBytes(6).toString('hex')}`;
    this.clients.set(path, { ecdh, auth });
    return {
      endpoint: this.origin + path,
      keys: { p256dh: ecdh.getPublicKey().toString('base64url'), auth: auth.toString('base64url') },
    };
  }

  /** Answers the next requests to `endpoint` with these, in order (then 201). */
  answer(endpoint: string, ...answers: Answer[]): void {
    this.answers.set(new URL(endpoint).pathname, answers);
  }

  to(endpoint: string): ReceivedPush[] {
    const path = new URL(endpoint).pathname;
    return this.received.filter((r) => r.path === path);
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  /** `vapid t=<ES256 JWT>, k=<public key>` (RFC 8292), signed by the configured key. */
  private checkVapid(header: string): void {
    const match = /^vapid t=([^,\s]+),\s*k=([A-Za-z0-9_-]+)$/.exec(header);
    if (!match) throw new Error(`Authorization is not vapid t=…, k=…: ${header.slice(0, 40)}`);
    const [, jwt, k] = match;
    if (k !== this.vapidPublicKey) throw new Error('k is not the server key');
    const verifiedExp = this.verifiedJwts.get(jwt);
    if (verifiedExp !== undefined) {
      if (verifiedExp < Date.now() / 1000) throw new Error('bad exp');
      return;
    }
    const [head, claims, signature] = jwt.split('.');
    const raw = Buffer.from(k, 'base64url');
    const key = createPublicKey({
      key: {
        kty: 'EC',
        crv: 'P-256',
        x: raw.subarray(1, 33).toString('base64url'),
        y: raw.subarray(33, 65).toString('base64url'),
      },
      format: 'jwk',
    });
    const ok = verify(
      'sha256',
      Buffer.from(`${head}.${claims}`),
      { key, dsaEncoding: 'ieee-p1363' },
      Buffer.from(signature, 'base64url'),
    );
    if (!ok) throw new Error('VAPID signature does not verify');
    const header0 = JSON.parse(Buffer.from(head, 'base64url').toString()) as { alg?: string };
    if (header0.alg !== 'ES256') throw new Error('VAPID JWT is not ES256');
    const body = JSON.parse(Buffer.from(claims, 'base64url').toString()) as {
      aud?: string;
      exp?: number;
      sub?: string;
    };
    if (body.aud !== this.origin) throw new Error(`aud ${body.aud} is not ${this.origin}`);
    const now = Date.now() / 1000;
    if (!body.exp || body.exp < now || body.exp > now + 24 * 3600) throw new Error('bad exp');
    if (body.sub !== this.subject) throw new Error(`sub ${body.sub}`);
    if (this.verifiedJwts.size >= VERIFIED_JWTS_MAX) this.verifiedJwts.clear();
    this.verifiedJwts.set(jwt, body.exp);
  }
}

const hmac = (key: Buffer, data: Buffer) => createHmac('sha256', key).update(data).digest();

/** RFC 8188 framing of a body: one record, a 65-byte sender key, a tag (decrypted or not). */
function checkFraming(body: Buffer): void {
  if (body.length < 21) throw new Error('shorter than an aes128gcm header');
  const recordSize = body.readUInt32BE(16);
  const idLength = body[20];
  if (idLength !== 65) throw new Error(`key id of ${idLength} bytes, not a P-256 public key`);
  const ciphertext = body.length - 21 - idLength;
  if (ciphertext < 17) throw new Error('no ciphertext');
  if (ciphertext > recordSize) throw new Error('more than one record');
}

/** RFC 8291 §3.4 key derivation, RFC 8188 aes128gcm record decryption (one record). */
function decrypt(body: Buffer, client: Client): Buffer {
  checkFraming(body);
  const salt = body.subarray(0, 16);
  const idLength = body[20];
  const senderPublic = body.subarray(21, 21 + idLength);
  const ciphertext = body.subarray(21 + idLength);
  const secret = client.ecdh.computeSecret(senderPublic);
  const keyInfo = Buffer.concat([
    Buffer.from('WebPush: info\0'),
    client.ecdh.getPublicKey(),
    senderPublic,
    Buffer.from([1]),
  ]);
  const ikm = hmac(hmac(client.auth, secret), keyInfo);
  const prk = hmac(salt, ikm);
  const cek = hmac(prk, Buffer.from('Content-Encoding: aes128gcm\0\x01')).subarray(0, 16);
  const nonce = hmac(prk, Buffer.from('Content-Encoding: nonce\0\x01')).subarray(0, 12);
  const decipher = createDecipheriv('aes-128-gcm', cek, nonce);
  decipher.setAuthTag(ciphertext.subarray(ciphertext.length - 16));
  const padded = Buffer.concat([
    decipher.update(ciphertext.subarray(0, ciphertext.length - 16)),
    decipher.final(),
  ]);
  let end = padded.length - 1;
  while (end >= 0 && padded[end] === 0) end--;
  if (padded[end] !== 2) throw new Error('no last-record delimiter');
  return padded.subarray(0, end);
}
