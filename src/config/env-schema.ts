/**
 * How configuration is declared: a tree whose leaves each name one environment variable and the
 * zod schema (with its default) that reads it. The tree is written once; the flat schema of
 * variables, the mapping into the nested config and the config's type are all derived from it,
 * so a field's variable, default and documentation live in one place.
 */
import { z } from 'zod';

/** One configuration value, read from the environment variable `name`. */
export interface EnvVar<S extends z.ZodType = z.ZodType> {
  readonly name: string;
  readonly schema: S;
}

/** A tree of configuration values; every leaf is read from a variable of its own. */
export interface EnvTree {
  readonly [key: string]: EnvVar | EnvTree;
}

/** The parsed shape of a tree: each leaf replaced by its schema's output. */
export type ConfigOf<T extends EnvTree> = {
  -readonly [K in keyof T]: T[K] extends EnvVar<infer S>
    ? z.output<S>
    : T[K] extends EnvTree
      ? ConfigOf<T[K]>
      : never;
};

export function fromEnv<S extends z.ZodType>(name: string, schema: S): EnvVar<S> {
  return { name, schema };
}

/** An integer in [min, max], `def` when unset. */
export const int = (def: number, min: number, max: number) =>
  z.coerce.number().int().min(min).max(max).default(def);

const BOOLEAN_WORDS = ['true', 'false', '1', '0', 'yes', 'no'] as const;
const isTrue = (word: string): boolean => word === 'true' || word === '1' || word === 'yes';

/** `true`/`false`, `1`/`0` or `yes`/`no`; `def` when unset. */
export const bool = (def: boolean) =>
  z
    .enum(BOOLEAN_WORDS)
    .default(def ? 'true' : 'false')
    .transform(isTrue);

/** Like `bool`, but undefined when unset: the default depends on other variables. */
export const optionalBool = z.enum(BOOLEAN_WORDS).optional().transform(maybe(isTrue));

/** Any text; unset, empty and blank are all undefined. */
export const optionalText = z
  .string()
  .optional()
  .transform((v) => (v && v.trim() !== '' ? v : undefined));

/** As `optionalText`, with the surrounding blanks removed. */
export const trimmedText = optionalText.transform(maybe((v: string) => v.trim()));

/** A comma-separated list; unset or blank is undefined, empty entries are dropped. */
export const commaList = optionalText.transform(
  maybe((v: string) =>
    v
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean),
  ),
);

function maybe<T, R>(fn: (value: T) => R): (value: T | undefined) => R | undefined {
  return (value) => (value === undefined ? undefined : fn(value));
}

/** The flat object schema of every variable in `tree`, keyed by variable name. */
export function envVariables(tree: EnvTree): z.ZodObject<Record<string, z.ZodType>> {
  const shape: Record<string, z.ZodType> = {};
  const collect = (node: EnvTree): void => {
    for (const child of Object.values(node)) {
      if (isEnvVar(child)) {
        if (child.name in shape) throw new Error(`${child.name} is declared twice`);
        shape[child.name] = child.schema;
      } else {
        collect(child);
      }
    }
  };
  collect(tree);
  return z.object(shape);
}

/** Reads the environment into the shape of `tree` (issues are keyed by variable name). */
export function envSchema<T extends EnvTree>(tree: T) {
  return envVariables(tree).transform((env) => pick(tree, env) as ConfigOf<T>);
}

function pick(node: EnvTree, env: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(node).map(([key, child]) => [
      key,
      isEnvVar(child) ? env[child.name] : pick(child, env),
    ]),
  );
}

function isEnvVar(node: EnvVar | EnvTree): node is EnvVar {
  return node.schema instanceof z.ZodType && typeof node.name === 'string';
}
