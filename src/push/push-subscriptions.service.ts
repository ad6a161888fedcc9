/** Storing users' push subscriptions: idempotent by endpoint, checked before anything is kept. */
import { BadRequestException, Inject, Injectable, NotFoundException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, Repository } from 'typeorm';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import type { CreatePushSubscriptionDto } from './dto/push-subscription.dto';
import { endpointProblem } from './endpoint-policy';
import { PushSubscriptionEntity } from './push-subscription.entity';

export interface PushSubscriptionView {
  id: string;
  endpoint: string;
  createdAt: string;
}

/** One subscription, as a send needs it. */
export type PushTargetRow = Pick<
  PushSubscriptionEntity,
  'id' | 'userId' | 'endpoint' | 'p256dh' | 'auth'
>;

@Injectable()
export class PushSubscriptionsService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectRepository(PushSubscriptionEntity)
    private readonly repository: Repository<PushSubscriptionEntity>,
  ) {}

  get enabled(): boolean {
    return this.config.webPush.vapid !== null;
  }

  /** The server's VAPID public key, or 404 while Web Push is off. */
  publicKey(): string {
    const vapid = this.config.webPush.vapid;
    if (!vapid) throw new NotFoundException('web push is not enabled on this server');
    return vapid.publicKey;
  }

  /**
   * Saves the subscription (`created: false` when this user had it already: same id, keys
   * refreshed). An endpoint another user held moves to this one: a browser has one push
   * registration, and it now belongs to whoever signed in last. Past the per-user cap the
   * user's oldest subscriptions go (browsers drop subscriptions without telling anyone).
   */
  async subscribe(
    userId: string,
    dto: CreatePushSubscriptionDto,
  ): Promise<{ id: string; created: boolean }> {
    this.publicKey();
    const problem = endpointProblem(dto.endpoint, this.config.webPush);
    if (problem) throw new BadRequestException([problem]);
    const expirationTime =
      typeof dto.expirationTime === 'number' ? new Date(dto.expirationTime) : null;
    const fields = { p256dh: dto.keys.p256dh, auth: dto.keys.auth, expirationTime };
    return this.repository.manager.transaction(async (manager) => {
      const repository = manager.getRepository(PushSubscriptionEntity);
      const existing = await repository.findOne({
        where: { endpoint: dto.endpoint },
        lock: { mode: 'pessimistic_write' },
      });
      if (existing?.userId === userId) {
        await repository.update({ id: existing.id }, fields);
        return { id: existing.id, created: false };
      }
      if (existing) await repository.delete({ id: existing.id });
      const [row] = (
        await repository
          .createQueryBuilder()
          .insert()
          .values({ userId, endpoint: dto.endpoint, ...fields })
          .orIgnore()
          .returning(['id'])
          .execute()
      ).raw as { id: string }[];
      if (!row) {
        // Another request stored this endpoint meanwhile: answer with what it stored.
        const winner = await repository.findOneByOrFail({ endpoint: dto.endpoint });
        if (winner.userId !== userId)
          throw new BadRequestException(['endpoint is being moved, retry']);
        return { id: winner.id, created: false };
      }
      await this.trim(repository, userId);
      return { id: row.id, created: true };
    });
  }

  async list(userId: string): Promise<{ items: PushSubscriptionView[] }> {
    this.publicKey();
    const rows = await this.repository.find({
      where: { userId },
      order: { createdAt: 'DESC', id: 'ASC' },
    });
    return {
      items: rows.map((r) => ({
        id: r.id,
        endpoint: r.endpoint,
        createdAt: r.createdAt.toISOString(),
      })),
    };
  }

  async remove(userId: string, id: string): Promise<void> {
    this.publicKey();
    const result = await this.repository.delete({ id, userId });
    if (!result.affected) throw new NotFoundException('no such push subscription');
  }

  /**
   * Where to send these users' pushes (optionally only to these subscription ids): the columns
   * a send needs, read as plain rows (no entity or date to build, once per push job).
   */
  async forUsers(userIds: readonly string[], ids?: readonly string[]): Promise<PushTargetRow[]> {
    if (userIds.length === 0) return [];
    return this.repository.query<PushTargetRow[]>(
      `SELECT id, user_id AS "userId", endpoint, p256dh, auth FROM push_subscriptions
       WHERE user_id = ANY($1::varchar[]) AND ($2::uuid[] IS NULL OR id = ANY($2::uuid[]))`,
      [userIds, ids ?? null],
    );
  }

  async deleteByIds(ids: readonly string[]): Promise<void> {
    if (ids.length) await this.repository.delete({ id: In([...ids]) });
  }

  private async trim(
    repository: Repository<PushSubscriptionEntity>,
    userId: string,
  ): Promise<void> {
    const keep = this.config.webPush.maxSubscriptionsPerUser;
    const stale = await repository.find({
      where: { userId },
      order: { createdAt: 'DESC', id: 'DESC' },
      skip: keep,
      select: { id: true },
    });
    if (stale.length) await repository.delete({ id: In(stale.map((s) => s.id)) });
  }
}
