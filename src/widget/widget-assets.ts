/**
 * The browser bundles in memory, ready to serve. Production serves what `npm run build` wrote
 * to dist/widget. Elsewhere the bundles are built from source at startup (esbuild, ~50 ms), so
 * `npm start` and the tests always serve the current widget without a separate build step.
 */
import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import {
  projectRoot,
  WIDGET_BUNDLES,
  WIDGET_OUT_DIR,
  WIDGET_SOURCE_DIR,
  widgetBuildOptions,
  type WidgetBundleName,
} from './widget-build';

export interface WidgetAsset {
  body: string;
  /** Strong validator for conditional GETs. */
  etag: string;
}

@Injectable()
export class WidgetAssets implements OnModuleInit {
  private readonly logger = new Logger(WidgetAssets.name);
  private readonly assets = new Map<WidgetBundleName, WidgetAsset>();

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  async onModuleInit(): Promise<void> {
    const root = projectRoot(__dirname);
    const fromSource =
      this.config.env !== 'production' && existsSync(join(root, WIDGET_SOURCE_DIR, 'widget.ts'));
    const bundles = (fromSource && (await buildInMemory(root))) || (await readBuilt(root));
    if (!bundles) {
      this.logger.warn(
        `no widget bundle in ${WIDGET_OUT_DIR}: run \`npm run build\`; /widget.js answers 404`,
      );
      return;
    }
    for (const [name, body] of bundles) this.assets.set(name, { body, etag: etagOf(body) });
  }

  get(name: WidgetBundleName): WidgetAsset | undefined {
    return this.assets.get(name);
  }
}

/**
 * Builds every bundle without writing files. Undefined when esbuild is not installed (a
 * production install without dev dependencies); a compile error in the widget throws.
 */
async function buildInMemory(root: string): Promise<Map<WidgetBundleName, string> | undefined> {
  let esbuild: typeof import('esbuild');
  try {
    esbuild = await import('esbuild');
  } catch {
    return undefined;
  }
  const result = await esbuild.build({ ...widgetBuildOptions(root), write: false });
  const bundles = new Map<WidgetBundleName, string>();
  for (const file of result.outputFiles) {
    const name = WIDGET_BUNDLES.find((n) => basename(file.path) === `${n}.js`);
    if (name) bundles.set(name, file.text);
  }
  return bundles;
}

async function readBuilt(root: string): Promise<Map<WidgetBundleName, string> | undefined> {
  const bundles = new Map<WidgetBundleName, string>();
  for (const name of WIDGET_BUNDLES) {
    const path = join(root, WIDGET_OUT_DIR, `${name}.js`);
    if (!existsSync(path)) return undefined;
    bundles.set(name, await readFile(path, 'utf8'));
  }
  return bundles;
}

function etagOf(body: string): string {
  return `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
}
