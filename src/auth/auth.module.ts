import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { PassportModule } from '@nestjs/passport';
import { DemoIdentity } from './demo-identity';
import { JwtAuthGuard } from './jwt-auth.guard';
import { JwtStrategy } from './jwt.strategy';
import { TokenVerifier } from './token-verifier';

@Module({
  imports: [PassportModule],
  providers: [
    DemoIdentity,
    TokenVerifier,
    JwtStrategy,
    { provide: APP_GUARD, useClass: JwtAuthGuard },
  ],
  exports: [TokenVerifier, DemoIdentity],
})
export class AuthModule {}
