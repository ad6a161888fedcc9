/** Mints demo user tokens for the demo page (see DemoIdentity: `demo:<name>`, a key of its own). */
import { Injectable, NotFoundException } from '@nestjs/common';
import { DemoIdentity, type DemoToken } from '../auth/demo-identity';

export type { DemoToken };

@Injectable()
export class DemoTokens {
  constructor(private readonly identity: DemoIdentity) {}

  mint(name: string): DemoToken {
    // The module is only registered when isDemoEnabled(); this guards against a wiring mistake.
    if (!this.identity.enabled) throw new NotFoundException();
    return this.identity.mint(name);
  }
}
