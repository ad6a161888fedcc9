/**
 * `GET /v1/stream` in the AsyncAPI document: the WebSocket's server events as server-sent
 * events, plus the stream's own `close` event (the WebSocket close code, as the last event).
 */
import type { Schema } from './asyncapi-schemas';

export const SSE_PATH = '/v1/stream';

export const SSE_CLOSE_MESSAGE: Schema = {
  name: 'close',
  summary:
    'The last event before the server ends the stream: the WebSocket close code and reason ' +
    '(1001 shutting down, 4401 token expired, 1013 storage down): reconnect (with Last-Event-ID) ' +
    'and resume. A slow consumer is cut without it.',
  contentType: 'text/event-stream',
  payload: {
    type: 'object',
    properties: { code: { type: 'integer' }, reason: { type: 'string' } },
    required: ['code', 'reason'],
  },
};

export function sseChannel(serverMessages: readonly string[]): Schema {
  return {
    description:
      'Server-sent events for networks that do not pass a WebSocket upgrade. Token in ' +
      '`Authorization: Bearer`; refused with the JSON error body before the stream (401 token, ' +
      '403 origin, 429 + Retry-After too many connections for the user, 400 bad cursor). ' +
      '`event:` is the event name, `data:` its JSON (the `data` of the WebSocket frame), and ' +
      "every event's `id:` is the stream's resume cursor (the last notification seq sent). " +
      '`Last-Event-ID` (or `?afterSeq=`) replays like `resume`: `ready`, the missed ' +
      'notifications in order, `resumed`, then live. A comment line at least every 15 s. The ' +
      'client sends nothing on the stream: read changes go over REST.',
    bindings: {
      http: {
        type: 'request',
        method: 'GET',
        query: {
          type: 'object',
          properties: { afterSeq: { type: 'integer', minimum: 0 } },
        },
      },
    },
    subscribe: {
      operationId: 'stream',
      summary: 'Events the server sends on the stream',
      message: {
        oneOf: [
          ...serverMessages.map((name) => ({ $ref: `#/components/messages/server.${name}` })),
          { $ref: '#/components/messages/sse.close' },
        ],
      },
    },
  };
}
