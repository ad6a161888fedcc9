import 'reflect-metadata'; // before any decorator runs, as in main.ts
import { MESSAGE_METADATA } from '@nestjs/websockets/constants';
import { NotificationsGateway } from './notifications.gateway';
import type { ClientEventName } from './protocol';

/** Every client event of the protocol: a key missing here, or one too many, fails the type check. */
const CLIENT_EVENTS: Record<ClientEventName, true> = {
  resume: true,
  read: true,
  'read.all': true,
  ping: true,
};

describe('NotificationsGateway', () => {
  it('handles each client event of the protocol, and no other', () => {
    const prototype = NotificationsGateway.prototype as unknown as Record<string, unknown>;
    const handled = Object.getOwnPropertyNames(prototype)
      .map((name) => prototype[name])
      .filter((method): method is object => typeof method === 'function')
      .map((method) => Reflect.getMetadata(MESSAGE_METADATA, method) as string | undefined)
      .filter((event) => event !== undefined);
    expect(handled.sort()).toEqual(Object.keys(CLIENT_EVENTS).sort());
  });
});
