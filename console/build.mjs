// Builds the operations console into dist/console (git-ignored): index.html, assets/app.js (one
// bundle: the app and Preact), assets/app.css and the icon. `npm run build` runs it after tsc, and
// `scripts/bootstrap.js` runs it before `npm start` / `npm test` when the sources are newer.
// Type checking is `tsc -p console/tsconfig.json` (esbuild only strips types).
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const out = path.join(here, '..', 'dist', 'console');

rmSync(out, { recursive: true, force: true });
mkdirSync(path.join(out, 'assets'), { recursive: true });
await build({
  entryPoints: { app: path.join(here, 'src', 'main.tsx'), 'app-style': path.join(here, 'static', 'app.css') },
  outdir: path.join(out, 'assets'),
  bundle: true,
  minify: true,
  sourcemap: true,
  format: 'esm',
  target: ['es2022'],
  jsx: 'automatic',
  jsxImportSource: 'preact',
  legalComments: 'linked',
  logLevel: 'warning',
});
copyFileSync(path.join(here, 'static', 'index.html'), path.join(out, 'index.html'));
copyFileSync(path.join(here, 'static', 'icon.svg'), path.join(out, 'assets', 'icon.svg'));
writeFileSync(path.join(out, '.build-stamp'), new Date().toISOString());
