/**
 * The queue dashboard (Bull Board) at /admin/queues, for tokens with the `admin` scope: every
 * Bull queue of the app, failed jobs with their errors, retry. Mounted as Bull Board's Fastify
 * plugin inside a plugin of its own, whose `onRequest` hook (AdminAuth) covers every dashboard
 * route and nothing else.
 */
import { createBullBoard } from '@bull-board/api';
import { BullAdapter } from '@bull-board/api/bullAdapter';
import { FastifyAdapter as BullBoardFastifyAdapter } from '@bull-board/fastify';
import { Module, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { AuthModule } from '../auth/auth.module';
import { BullQueues } from '../metrics/bull-queues';
import { AdminAuth } from './admin-auth';
import { ADMIN_LOGIN_PATH, ADMIN_PATH, adminLoginPage } from './admin-login.page';

@Module({ imports: [AuthModule], providers: [AdminAuth] })
export class AdminModule implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly queues: BullQueues,
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
    // The sign-in page needs no token (it is how a browser gets one in).
    fastify.get(ADMIN_LOGIN_PATH, (_request, reply) =>
      reply
        .type('text/html; charset=utf-8')
        .header('Cache-Control', 'no-store')
        .header('Content-Security-Policy', "default-src 'none'; script-src 'unsafe-inline'")
        .send(adminLoginPage()),
    );
    void fastify.register(
      async (dashboard) => {
        dashboard.addHook('onRequest', this.auth.onRequest);
        await dashboard.register(board.registerPlugin());
      },
      { prefix: ADMIN_PATH },
    );
  }
}
