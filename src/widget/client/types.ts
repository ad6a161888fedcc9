/** The wire types the widget shares with the gateway (src/realtime/protocol.ts). */
import type { ServerEvents } from '../../realtime/protocol';

export type Notification = ServerEvents['notification'];

/** Where the widget's connection stands, as shown to the user. */
export type ConnectionStatus = 'connecting' | 'online' | 'offline' | 'unauthorized';
