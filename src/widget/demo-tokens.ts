/** Mints user tokens for the demo page, signed like any token Herald accepts. */
import { Inject, Injectable, NotFoundException } from '@nestjs/common';
import jwt from 'jsonwebtoken';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { DEMO_TOKEN_TTL_SECONDS } from './demo-mode';

export interface DemoToken {
  userId: string;
  token: string;
  /** Seconds until the token expires. */
  expiresIn: number;
}

@Injectable()
export class DemoTokens {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  mint(userId: string): DemoToken {
    const { key, issuer, audience } = this.config.jwt;
    // The module is only registered when isDemoEnabled(); this guards against a wiring mistake.
    if (key.kind !== 'secret') throw new NotFoundException();
    const token = jwt.sign({ sub: userId }, key.secret, {
      algorithm: 'HS256',
      expiresIn: DEMO_TOKEN_TTL_SECONDS,
      ...(issuer ? { issuer } : {}),
      ...(audience ? { audience } : {}),
    });
    return { userId, token, expiresIn: DEMO_TOKEN_TTL_SECONDS };
  }
}
