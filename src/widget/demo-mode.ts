import type { AppConfig } from '../config/app-config';

/**
 * The id demo notifications are published as (it shows as their publisher): in the demo
 * namespace, so it can never be mistaken for a real user.
 */
export const DEMO_PUBLISHER_ID = 'demo:herald';

/**
 * The demo may mint tokens only when it is switched on (config.demo: development only). Demo
 * tokens are signed with a key of their own (DemoIdentity), whatever key verifies real tokens.
 */
export function isDemoEnabled(config: AppConfig): boolean {
  return config.demo;
}
