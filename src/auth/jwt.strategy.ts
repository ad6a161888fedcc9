import { Injectable, UnauthorizedException } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import jwt, { type JwtPayload } from 'jsonwebtoken';
import type { KeyObject } from 'node:crypto';
import { ExtractJwt, Strategy } from 'passport-jwt';
import type { Principal } from './principal';
import { TokenVerifier } from './token-verifier';

/** passport-jwt on REST, configured from the shared TokenVerifier. */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(private readonly verifier: TokenVerifier) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      ignoreExpiration: false,
      algorithms: verifier.options.algorithms,
      issuer: verifier.issuer,
      audience: verifier.audience,
      secretOrKeyProvider: (
        _request: unknown,
        rawToken: string,
        // passport-jwt's types say string | Buffer, but it hands the key to jsonwebtoken's
        // verify untouched, which takes a KeyObject as is (and re-parses anything else).
        done: (error: Error | null, key?: string) => void,
      ) => {
        // One key for every token: no need to decode the header to choose it.
        if (verifier.staticKey) return done(null, verifier.staticKey as unknown as string);
        const decoded = jwt.decode(rawToken, { complete: true });
        if (!decoded) return done(new UnauthorizedException('malformed token'));
        verifier.keyFor(decoded.header).then(
          (key: KeyObject) => done(null, key as unknown as string),
          () => done(new UnauthorizedException('no matching signing key')),
        );
      },
    });
  }

  validate(payload: JwtPayload): Principal {
    try {
      return this.verifier.toPrincipal(payload);
    } catch (error) {
      throw new UnauthorizedException((error as Error).message);
    }
  }
}
