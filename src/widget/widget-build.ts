/**
 * How the browser bundles are built from src/widget/client (esbuild). The server uses these
 * options to build in memory outside production; scripts/build-widget.mjs writes the same
 * bundles to dist/widget for `npm run build` (keep the two in step).
 */
import type { BuildOptions } from 'esbuild';
import { join } from 'node:path';

/** The bundles the app serves: `/widget.js` and `/demo.js` (the demo page's own script). */
export const WIDGET_BUNDLES = ['widget', 'demo'] as const;
export type WidgetBundleName = (typeof WIDGET_BUNDLES)[number];

export const WIDGET_SOURCE_DIR = 'src/widget/client';
export const WIDGET_OUT_DIR = 'dist/widget';

export function widgetBuildOptions(root: string): BuildOptions {
  const source = join(root, WIDGET_SOURCE_DIR);
  return {
    entryPoints: {
      widget: join(source, 'widget.ts'),
      demo: join(source, 'demo-page.ts'),
    },
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
