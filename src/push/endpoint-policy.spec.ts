import type { LookupAddress } from 'node:dns';
import { endpointProblem, guardedLookup, isInternalHost, originAllowed } from './endpoint-policy';

const rules = {
  allowedOrigins: ['https://fcm.googleapis.com', 'https://*.notify.windows.com'],
  allowPrivateHosts: false,
};

describe('push endpoint policy', () => {
  it('accepts an https endpoint of an allowed push service', () => {
    expect(endpointProblem('https://fcm.googleapis.com/fcm/send/abc', rules)).toBeNull();
    expect(endpointProblem('https://wns2-par02p.notify.windows.com/w/?token=x', rules)).toBeNull();
  });

  it('refuses other origins, plain http, credentials and wildcard look-alikes', () => {
    expect(endpointProblem('https://evil.example.com/x', rules)).toMatch(/not an allowed/);
    expect(endpointProblem('http://fcm.googleapis.com/x', rules)).toMatch(/https/);
    expect(endpointProblem('https://u:p@fcm.googleapis.com/x', rules)).toMatch(/credentials/);
    expect(endpointProblem('https://fcm.googleapis.com:8443/x', rules)).toMatch(/not an allowed/);
    expect(endpointProblem('https://evilnotify.windows.com/x', rules)).toMatch(/not an allowed/);
    expect(endpointProblem('https://notify.windows.com/x', rules)).toMatch(/not an allowed/);
    expect(endpointProblem('not a url', rules)).toMatch(/absolute URL/);
    expect(endpointProblem(`https://fcm.googleapis.com/${'a'.repeat(2100)}`, rules)).toMatch(
      /at most/,
    );
  });

  it('refuses internal hosts even when their origin is allowed', () => {
    const open = { ...rules, allowedOrigins: ['https://127.0.0.1', 'https://localhost'] };
    for (const url of [
      'https://127.0.0.1/x',
      'https://2130706433/x', // 127.0.0.1 in decimal; URL normalizes it
      'https://0x7f.1/x',
      'https://localhost/x',
      'https://[::1]/x',
      'https://[::ffff:127.0.0.1]/x',
      'https://169.254.169.254/latest/meta-data',
      'https://10.1.2.3/x',
      'https://192.168.1.1/x',
      'https://[fd00::1]/x',
      'https://metadata.google.internal/x',
      'https://printer.local/x',
      'https://intranet/x',
    ]) {
      expect([url, endpointProblem(url, open)]).toEqual([url, expect.stringMatching(/internal/)]);
    }
    expect(isInternalHost('fcm.googleapis.com')).toBe(false);
    expect(isInternalHost('8.8.8.8')).toBe(false);
  });

  it('lets loopback through only when private hosts are explicitly allowed', () => {
    const lab = { allowedOrigins: ['https://127.0.0.1:8443'], allowPrivateHosts: true };
    expect(endpointProblem('https://127.0.0.1:8443/push/1', lab)).toBeNull();
    expect(originAllowed('https://127.0.0.1:9999', lab.allowedOrigins)).toBe(false);
  });

  it('refuses a connection to a name that resolves to an internal address', async () => {
    const resolveTo =
      (...addresses: string[]) =>
      (_h: string, _o: unknown, cb: (e: null, a: LookupAddress[]) => void) =>
        cb(
          null,
          addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })),
        );
    const run = (lookup: ReturnType<typeof guardedLookup>) =>
      new Promise<string>((resolve) =>
        lookup('push.example.com', {}, (error, address) =>
          resolve(error ? `error ${error.message}` : (address as string)),
        ),
      );
    expect(await run(guardedLookup(resolveTo('142.250.1.1')))).toBe('142.250.1.1');
    expect(await run(guardedLookup(resolveTo('142.250.1.1', '10.0.0.5')))).toMatch(/internal/);
    expect(await run(guardedLookup(resolveTo('::1')))).toMatch(/internal/);
  });
});
