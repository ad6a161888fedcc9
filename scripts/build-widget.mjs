// Bundles the browser widget (src/widget/client) into dist/widget/{widget,demo}.js for
// production, where the server serves these files. Same options as src/widget/widget-build.ts,
// which the server uses to build in memory outside production: keep the two in step.
import { build } from 'esbuild';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const source = join(root, 'src/widget/client');

const result = await build({
  entryPoints: { widget: join(source, 'widget.ts'), demo: join(source, 'demo-page.ts') },
  outdir: join(root, 'dist/widget'),
  bundle: true,
  format: 'iife',
  platform: 'browser',
  target: ['es2020'],
  minify: true,
  legalComments: 'none',
  charset: 'utf8',
  tsconfig: join(source, 'tsconfig.json'),
  logLevel: 'warning',
  metafile: true,
});
for (const [file, { bytes }] of Object.entries(result.metafile.outputs)) {
  console.log(`${file}  ${(bytes / 1024).toFixed(1)} KiB`);
}
