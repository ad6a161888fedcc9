/**
 * `npm run build` (after `nest build`): writes the browser bundles to dist/widget, which
 * production serves. The options are the server's own (widget-build.ts), so the bundles on
 * disk and the ones built in memory outside production are the same.
 */
import { build } from 'esbuild';
import { projectRoot, widgetBuildOptions } from '../widget/widget-build';

async function main(): Promise<void> {
  const options = widgetBuildOptions(projectRoot(__dirname));
  const result = await build({ ...options, logLevel: 'warning', metafile: true });
  for (const [file, { bytes }] of Object.entries(result.metafile.outputs)) {
    process.stdout.write(`${file}  ${(bytes / 1024).toFixed(1)} KiB\n`);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).message}\n`);
  process.exit(1);
});
