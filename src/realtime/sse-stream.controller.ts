/**
 * `GET /v1/stream`: the WebSocket's events over server-sent events, for networks that do not
 * pass an `Upgrade`. The same token (Bearer header), origin rule and per-user connection limit
 * as `/ws`, checked before any byte of the stream; then `ready`, the replay after
 * `Last-Event-ID` (or `?afterSeq=`) exactly as a `resume`, and live events. The client talks
 * back over REST (read, read-all), so nothing is read from the stream.
 */
import {
  BadRequestException,
  Controller,
  Headers,
  Query,
  Req,
  Sse,
  UseGuards,
  type MessageEvent,
} from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiQuery,
  ApiTags,
} from '@nestjs/swagger';
import type { Socket } from 'node:net';
import { Observable } from 'rxjs';
import { CurrentPrincipal } from '../auth/auth.decorators';
import type { Principal } from '../auth/principal';
import { ConnectionSessions } from './connection-sessions';
import { SseAdmissionGuard } from './sse-admission.guard';
import { SseSocket } from './sse-socket';
import { SseStreams } from './sse-streams';

const MAX_SEQ = 2 ** 31 - 1;

interface StreamRequest {
  socket: Socket;
}

@ApiTags('realtime')
@ApiBearerAuth('bearer')
@Controller('v1')
export class SseStreamController {
  constructor(
    private readonly sessions: ConnectionSessions,
    private readonly streams: SseStreams,
  ) {}

  @Sse('stream')
  @UseGuards(SseAdmissionGuard)
  @ApiOperation({
    summary: 'Server-sent events: the WebSocket events over text/event-stream',
    description:
      '`event:` is the event name, `data:` its JSON; `notification` events carry `id: <seq>`. ' +
      'A last `close {code, reason}` event precedes a server-side close (codes as on /ws). ' +
      'A comment line at least every 15 s.',
  })
  @ApiProduces('text/event-stream')
  @ApiHeader({ name: 'Last-Event-ID', required: false, description: 'Resume after this seq' })
  @ApiQuery({ name: 'afterSeq', required: false, type: Number, description: 'Same, as a query' })
  @ApiOkResponse({ description: 'The event stream' })
  stream(
    @CurrentPrincipal() principal: Principal,
    @Req() request: StreamRequest,
    @Headers('last-event-id') lastEventId: string | undefined,
    @Query('afterSeq') afterSeqQuery: string | undefined,
  ): Observable<MessageEvent> {
    const afterSeq = cursor(lastEventId ?? afterSeqQuery);
    return new Observable<MessageEvent>((subscriber) => {
      const hooks = {
        pong: () => (connection.alive = true),
        overflow: () => this.sessions.slowConsumer(connection),
        maxBufferedBytes: this.sessions.maxBufferedBytes,
      };
      const connection = this.sessions.open(
        new SseSocket(subscriber, request.socket, hooks, afterSeq),
        principal,
      );
      const socket = connection.socket as SseSocket;
      this.streams.add(socket);
      void this.sessions.sendReady(connection).then((ready) => {
        if (!ready) return;
        if (afterSeq === undefined)
          connection.endGrace(); // a stream sends no `resume` later
        else void this.sessions.resume(connection, afterSeq);
      });
      return () => {
        this.streams.delete(socket);
        socket.readyState = 3;
        this.sessions.closed(connection);
      };
    });
  }
}

function cursor(value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  const seq = /^\d{1,10}$/.test(value.trim()) ? Number(value) : NaN;
  if (!Number.isInteger(seq) || seq > MAX_SEQ) {
    throw new BadRequestException(['Last-Event-ID / afterSeq must be an integer seq >= 0']);
  }
  return seq;
}
