/**
 * How the browser bundles are built from src/widget/client (esbuild): the one set of options
 * used both by the server, which builds in memory outside production, and by
 * `npm run build` (src/cli/build-widget.ts), which writes them to dist/widget for production.
 */
import type { BuildOptions } from 'esbuild';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The bundles the app serves, each built from `<name>.ts`: `/widget.js` and `/demo.js`. */
export const WIDGET_BUNDLES = ['widget', 'demo'] as const;
export type WidgetBundleName = (typeof WIDGET_BUNDLES)[number];

export const WIDGET_SOURCE_DIR = 'src/widget/client';
export const WIDGET_OUT_DIR = 'dist/widget';

export function widgetBuildOptions(root: string): BuildOptions {
  const source = join(root, WIDGET_SOURCE_DIR);
  return {
    entryPoints: Object.fromEntries(
      WIDGET_BUNDLES.map((name) => [name, join(source, `${name}.ts`)]),
    ),
    outdir: join(root, WIDGET_OUT_DIR),
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: ['es2020'],
    minify: true,
    legalComments: 'none',
    charset: 'utf8',
    tsconfig: join(source, 'tsconfig.json'),
    logLevel: 'silent',
  };
}

/** The nearest folder with a package.json: the repo root from src/… and from dist/src/…. */
export function projectRoot(from: string): string {
  let dir = from;
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) return process.cwd();
    dir = parent;
  }
  return dir;
}
