import type { AppConfig } from '../config/app-config';

/** The user id that demo notifications are published as (it shows as their publisher). */
export const DEMO_PUBLISHER_ID = 'herald-demo';
/** Demo user tokens are short-lived, so the widget's token refresh hook gets exercised. */
export const DEMO_TOKEN_TTL_SECONDS = 15 * 60;

/**
 * The demo may mint tokens only when it is switched on (config.demo: on by default outside
 * production) and Herald holds the signing secret; with a public key or JWKS, tokens come
 * from an identity provider and Herald cannot mint any.
 */
export function isDemoEnabled(config: AppConfig): boolean {
  return config.demo && config.jwt.key.kind === 'secret';
}
