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
  SseSignal,
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
import { EMPTY, Observable, Subject } from 'rxjs';
import { CurrentPrincipal } from '../auth/auth.decorators';
import { ProblemException } from '../http/problem.exception';
import type { Principal } from '../auth/principal';
import { isSeq } from './client-input';
import { ConnectionAdmission } from './connection-admission';
import { ConnectionFactory } from './connection-factory';
import { ResumeService } from './resume.service';
import { SseOriginGuard } from './sse-origin.guard';
import { SseSocket } from './sse-socket';
import { SseStreams } from './sse-streams';

const RETRY_AFTER_S = 5;

interface StreamRequest {
  socket: Socket;
}

@ApiTags('realtime')
@ApiBearerAuth('bearer')
@Controller('v1')
export class SseStreamController {
  constructor(
    private readonly factory: ConnectionFactory,
    private readonly admission: ConnectionAdmission,
    private readonly resumes: ResumeService,
    private readonly streams: SseStreams,
  ) {}

  @Sse('stream')
  @UseGuards(SseOriginGuard)
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
  async stream(
    @CurrentPrincipal() principal: Principal,
    @Req() request: StreamRequest,
    @Headers('last-event-id') lastEventId: string | undefined,
    @Query('afterSeq') afterSeqQuery: string | undefined,
    @SseSignal() signal: AbortSignal,
  ): Promise<Observable<MessageEvent>> {
    const afterSeq = cursor(lastEventId ?? afterSeqQuery);
    const events = new Subject<MessageEvent>();
    const hooks = {
      pong: () => connection.markAlive(),
      overflow: () => connection.closeSlowConsumer(),
      maxBufferedBytes: this.factory.maxBufferedBytes,
    };
    const socket = new SseSocket(events, request.socket, hooks, afterSeq);
    const connection = this.factory.create(socket, principal);
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      this.streams.delete(socket);
      socket.readyState = 3;
      this.admission.closed(connection);
    };
    // A client that leaves before the stream starts is never subscribed: clean up here.
    let subscribed = false;
    signal.addEventListener('abort', () => subscribed || finish(), { once: true });
    const outcome = await this.admission.admit(connection);
    if (outcome !== 'admitted') {
      finish();
      if (outcome === 'refused') {
        throw new ProblemException(429, 'too many connections for this user', {
          headers: { 'Retry-After': String(RETRY_AFTER_S) },
        });
      }
      return EMPTY;
    }
    return new Observable<MessageEvent>((subscriber) => {
      subscribed = true;
      const subscription = events.subscribe(subscriber);
      this.streams.add(socket);
      void this.resumes.start(connection, afterSeq);
      return () => {
        subscription.unsubscribe();
        finish();
      };
    });
  }
}

function cursor(value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  const seq = /^\d{1,10}$/.test(value.trim()) ? Number(value) : NaN;
  if (!isSeq(seq)) {
    throw new BadRequestException(['Last-Event-ID / afterSeq must be an integer seq >= 0']);
  }
  return seq;
}
