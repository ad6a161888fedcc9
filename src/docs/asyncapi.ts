/**
 * The WebSocket protocol of API.md as an AsyncAPI 2.6 document, served at
 * /docs/asyncapi.json. Event names are typed against the protocol's maps, so renaming or
 * adding an event without updating this file is a compile error.
 */
import {
  CloseCode,
  RESUME_LIMIT,
  WS_BEARER_PREFIX,
  WS_PATH,
  WS_SUBPROTOCOL,
  type ClientEventName,
  type ServerEventName,
} from '../realtime/protocol';
import { ALL, IDS, NOTIFICATION, SWITCHES, obj, ref, type Schema } from './asyncapi-schemas';
import { SSE_CLOSE_MESSAGE, SSE_PATH, sseChannel } from './asyncapi-sse';

const SERVER_EVENTS: Record<ServerEventName, { summary: string; data: Schema }> = {
  ready: {
    summary: 'First frame after connect',
    data: obj({
      userId: { type: 'string' },
      unreadCount: { type: 'integer' },
      lastSeq: { type: 'integer' },
    }),
  },
  notification: { summary: 'A new (or replayed) notification', data: ref('Notification') },
  unread: {
    summary: 'The unread count after anything changed it',
    data: obj({ count: { type: 'integer' } }),
  },
  read: {
    summary: "Notifications marked read on any of the user's devices",
    data: obj(
      {
        ids: { type: 'array', items: { type: 'string', format: 'uuid' } },
        readAt: { type: 'string', format: 'date-time' },
        all: { type: 'boolean', description: 'true after read-all (ids may then be empty)' },
      },
      ['ids', 'readAt'],
    ),
  },
  resumed: {
    summary: `After a resume replay; complete is false when capped at ${RESUME_LIMIT} (page the rest over REST)`,
    data: obj({ count: { type: 'integer' }, complete: { type: 'boolean' } }),
  },
  pong: { summary: 'Answer to ping', data: obj({}) },
  archived: {
    summary: "Notifications archived on any of the user's devices (archiving marks read)",
    data: obj({ ids: IDS, archivedAt: { type: 'string', format: 'date-time' }, all: ALL }, [
      'ids',
      'archivedAt',
    ]),
  },
  unarchived: {
    summary: 'Notifications moved back to the inbox',
    data: obj({ ids: IDS, all: ALL }, ['ids']),
  },
  deleted: {
    summary: 'Notifications deleted (by the user, or expired by retention)',
    data: obj({ ids: IDS, all: ALL }, ['ids']),
  },
  snoozed: {
    summary: 'Notifications snoozed (out of the inbox and the count) until a time',
    data: obj({ ids: IDS, until: { type: 'string', format: 'date-time' } }),
  },
  unsnoozed: {
    summary: 'A snooze ended (its time came, or the user ended it): the notification as it is now',
    data: obj({ notification: ref('Notification') }),
  },
  preferences: {
    summary: "The user's whole preferences document, after any change",
    data: obj({
      channels: SWITCHES,
      types: { type: 'object', additionalProperties: SWITCHES },
    }),
  },
  error: {
    summary:
      'A bad frame, or resume/read/read.all over the per-user budget (rate_limited); the connection stays open',
    data: obj(
      {
        code: {
          type: 'string',
          enum: [
            'bad_frame',
            'unknown_event',
            'invalid_data',
            'resume_in_progress',
            'unavailable',
            'rate_limited',
            'internal',
          ],
        },
        message: { type: 'string' },
        retryAfterMs: {
          type: 'integer',
          minimum: 1,
          description: 'With rate_limited: when the frame would be accepted again',
        },
      },
      ['code', 'message'],
    ),
  },
};

const CLIENT_EVENTS: Record<ClientEventName, { summary: string; data: Schema }> = {
  resume: {
    summary: 'Replay, in order, every notification with a larger seq',
    data: obj({ afterSeq: { type: 'integer', minimum: 0 } }),
  },
  read: {
    summary: 'Mark notifications read',
    data: obj({
      ids: {
        type: 'array',
        minItems: 1,
        maxItems: 1000,
        items: { type: 'string', format: 'uuid' },
      },
    }),
  },
  'read.all': { summary: 'Mark every notification read', data: obj({}) },
  ping: { summary: 'Keep-alive at the application level; answered with pong', data: obj({}) },
};

function messages(
  events: Record<string, { summary: string; data: Schema }>,
): Record<string, Schema> {
  return Object.fromEntries(
    Object.entries(events).map(([event, { summary, data }]) => [
      event,
      {
        name: event,
        summary,
        contentType: 'application/json',
        payload: obj({ event: { type: 'string', const: event }, data }),
      },
    ]),
  );
}

export function asyncApiDocument(): Record<string, unknown> {
  const server = messages(SERVER_EVENTS);
  const client = messages(CLIENT_EVENTS);
  return {
    asyncapi: '2.6.0',
    info: {
      title: 'Herald WebSocket',
      version: '1',
      description:
        `One socket per browser tab at ${WS_PATH}. Authenticate with \`?token=<JWT>\` or the ` +
        `subprotocol pair \`${WS_SUBPROTOCOL}, ${WS_BEARER_PREFIX}<JWT>\` (answered with ` +
        `\`${WS_SUBPROTOCOL}\`). The upgrade is refused with HTTP 401 (bad token) or 403 ` +
        `(origin not allowed) before any frame, with the JSON error body of REST ` +
        `(\`{ statusCode, error, message, requestId }\`). Every frame is JSON ` +
        `\`{ "event", "data" }\`; \`ready\` is the first. ` +
        `Close codes: ${CloseCode.GoingAway} server shutting down (reconnect and resume), ` +
        `${CloseCode.Policy} policy (too many frames or connections), ${CloseCode.TooBig} frame too ` +
        `large, ${CloseCode.TryAgainLater} slow consumer, storage down or too many frames ` +
        `waiting for \`ready\` (reconnect and resume), ` +
        `${CloseCode.TokenExpired} token expired.`,
    },
    servers: {
      herald: { url: '{host}', protocol: 'ws', variables: { host: { default: 'localhost:3000' } } },
    },
    channels: {
      [WS_PATH]: {
        bindings: {
          ws: {
            method: 'GET',
            query: obj(
              { token: { type: 'string', description: 'JWT (or use the subprotocol)' } },
              [],
            ),
          },
        },
        subscribe: {
          operationId: 'receive',
          summary: 'Frames the server sends',
          message: {
            oneOf: Object.keys(server).map((name) => ({
              $ref: `#/components/messages/server.${name}`,
            })),
          },
        },
        publish: {
          operationId: 'send',
          summary: 'Frames the client sends',
          message: {
            oneOf: Object.keys(client).map((name) => ({
              $ref: `#/components/messages/client.${name}`,
            })),
          },
        },
      },
      [SSE_PATH]: sseChannel(Object.keys(server)),
    },
    components: {
      schemas: { Notification: NOTIFICATION },
      messages: {
        ...Object.fromEntries(Object.entries(server).map(([name, m]) => [`server.${name}`, m])),
        ...Object.fromEntries(Object.entries(client).map(([name, m]) => [`client.${name}`, m])),
        'sse.close': SSE_CLOSE_MESSAGE,
      },
    },
  };
}
