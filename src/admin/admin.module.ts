/**
 * The queue dashboard (Bull Board) at /admin/queues, for tokens with the `admin` scope: every
 * Bull queue of the app, failed jobs with their errors, retry.
 */
import { BullAdapter } from '@bull-board/api/bullAdapter';
import { ExpressAdapter } from '@bull-board/express';
import {
  BullBoardModule,
  InjectBullBoard,
  type BullBoardInstance,
  type BullBoardModuleOptions,
} from '@bull-board/nestjs';
import { Module, OnModuleInit } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { BullQueues } from '../metrics/bull-queues';
import { AdminAuthMiddleware } from './admin-auth.middleware';
import { ADMIN_PATH } from './admin-login.page';

@Module({
  imports: [
    BullBoardModule.forRootAsync({
      imports: [AuthModule],
      useFactory: () => ({
        route: ADMIN_PATH,
        // @bull-board/express carries its own copy of @bull-board/api's types (a patch release
        // apart); the adapter is the same at run time.
        adapter: ExpressAdapter as unknown as BullBoardModuleOptions['adapter'],
        middleware: AdminAuthMiddleware,
        boardOptions: { uiConfig: { boardTitle: 'Herald queues' } },
      }),
    }),
  ],
})
export class AdminModule implements OnModuleInit {
  constructor(
    @InjectBullBoard() private readonly board: BullBoardInstance,
    private readonly queues: BullQueues,
  ) {}

  onModuleInit(): void {
    for (const queue of this.queues.all()) this.board.addQueue(new BullAdapter(queue));
  }
}
