/**
 * The queue dashboard (Bull Board) at /admin/queues, for tokens with the `admin` scope: every
 * Bull queue of the app, failed jobs with their errors, retry. Mounted as Bull Board's Fastify
 * plugin inside a plugin of its own, whose `onRequest` hook (AdminAuth) covers every dashboard
 * route and nothing else. Sign-in and sign-out (AdminLoginController) are Nest routes beside it.
 */
import { createBullBoard } from '@bull-board/api';
import { BullAdapter } from '@bull-board/api/bullAdapter';
import { FastifyAdapter as BullBoardFastifyAdapter } from '@bull-board/fastify';
import { Module, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { AuthModule } from '../auth/auth.module';
import { QueueDiscovery } from '../metrics/queue-discovery';
import { AdminAuth } from './admin-auth';
import { AdminLoginController } from './admin-login.controller';
import { ADMIN_PATH } from './admin-login.page';
import { AdminSessions } from './admin-sessions';

@Module({
  imports: [AuthModule],
  controllers: [AdminLoginController],
  providers: [AdminAuth, AdminSessions],
})
export class AdminModule implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly queues: QueueDiscovery,
    private readonly auth: AdminAuth,
  ) {}

  onModuleInit(): void {
    const board = new BullBoardFastifyAdapter();
    createBullBoard({
      queues: this.queues.all().map((queue) => new BullAdapter(queue)),
      serverAdapter: board,
      options: { uiConfig: { boardTitle: 'Herald queues' } },
    });
    board.setBasePath(ADMIN_PATH);
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    void fastify.register(
      async (dashboard) => {
        dashboard.addHook('onRequest', this.auth.onRequest);
        await dashboard.register(board.registerPlugin());
      },
      { prefix: ADMIN_PATH },
    );
  }
}
