/**
 * The one place that reads the environment. `loadConfig` validates every variable with zod and
 * returns a frozen, typed object; a bad value stops the boot with a message naming the variable.
 * Each value, its variable and its default are declared once, in the `*-config.ts` file of its
 * concern; `AppConfig` is the schema's output type. Defaults are chosen so that `npm start`
 * (which sets NODE_ENV=development) works on a developer machine with local Postgres/Redis;
 * without NODE_ENV=development nothing insecure is defaulted.
 */
import { z } from 'zod';
import { accessVariables, allowedOrigins, demoEnabled, jwtKey } from './access-config';
import { envSchema, envVariables, fromEnv, optionalText } from './env-schema';
import { limitsVariables } from './limits-config';
import { queueVariables } from './queue-config';
import { serverVariables } from './server-config';
import { webPushConfig, webPushVariables } from './web-push-config';

export { DEVELOPMENT_JWT_SECRET, type JwtKeyConfig } from './access-config';

const variables = {
  /** Only the exact value `development` turns the development defaults on; anything else,
   *  unset included, is production (fail closed: a forgotten NODE_ENV never opens the doors). */
  nodeEnv: fromEnv('NODE_ENV', optionalText),
  ...serverVariables,
  ...accessVariables,
  ...queueVariables,
  ...limitsVariables,
  ...webPushVariables,
};

/** Every variable Herald reads, by name, as declared (for checks of the documentation). */
export const ENV_VARIABLES = envVariables(variables);

const appConfigSchema = envSchema(variables).transform((raw, ctx) => {
  const { nodeEnv, jwt, allowedOrigins: origins, demo, webPush, ...rest } = raw;
  const development = nodeEnv === 'development';
  const problems: string[] = [];
  const key = jwtKey(jwt, development, problems);
  const config = {
    ...rest,
    env: runMode(nodeEnv),
    jwt: { key, issuer: jwt.issuer, audience: jwt.audience },
    allowedOrigins: allowedOrigins(origins, development),
    demo: demoEnabled(demo, development, problems),
    webPush: webPushConfig(webPush, problems),
  };
  for (const problem of problems) ctx.addIssue(problem);
  if (!key || problems.length) return z.NEVER;
  return { ...config, jwt: { ...config.jwt, key } };
});

export type AppConfig = Readonly<z.output<typeof appConfigSchema>>;

function runMode(nodeEnv: string | undefined): 'development' | 'production' | 'test' {
  return nodeEnv === 'development' || nodeEnv === 'test' ? nodeEnv : 'production';
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

export function loadConfig(env: NodeJS.ProcessEnv | Record<string, string | undefined>): AppConfig {
  const parsed = appConfigSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) =>
        issue.path.length ? `${issue.path.join('.')}: ${issue.message}` : issue.message,
      ),
    );
  }
  return Object.freeze(parsed.data);
}
