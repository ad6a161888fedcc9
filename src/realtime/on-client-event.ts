/**
 * `@SubscribeMessage` for an event of the wire protocol: the name must be a key of
 * ClientEvents (protocol.ts), so a misspelt or undeclared event fails the type check instead
 * of never being called.
 */
import { SubscribeMessage } from '@nestjs/websockets';
import type { ClientEventName } from './protocol';

export const OnClientEvent = (event: ClientEventName): MethodDecorator => SubscribeMessage(event);
