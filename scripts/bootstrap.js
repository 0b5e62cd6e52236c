'use strict';
// First-command convenience for `npm start`, `npm test` and friends on a fresh clone:
// installs dependencies when node_modules is missing or older than the lock file, compiles when
// asked (--build) and dist/ is stale, bundles the console (console/ -> dist/console) when asked
// (--build, --console) and it is stale, installs the chart tools and Chromium when asked (--tools),
// and brings the local stack up when asked (--stack).
const fs = require('node:fs');
const path = require('node:path');
const { execSync } = require('node:child_process');

const root = path.resolve(__dirname, '..');
const args = new Set(process.argv.slice(2));

function mtime(p) {
  try {
    return fs.statSync(p).mtimeMs;
  } catch {
    return 0;
  }
}

function newestIn(dir) {
  let newest = 0;
  if (!fs.existsSync(dir)) return 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestIn(p) : mtime(p));
  }
  return newest;
}

function run(cmd) {
  process.stderr.write(`sdp: ${cmd}\n`);
  execSync(cmd, { cwd: root, stdio: 'inherit' });
}

async function main() {
  const marker = path.join(root, 'node_modules', '.package-lock.json');
  if (!fs.existsSync(marker) || mtime(marker) < mtime(path.join(root, 'package-lock.json'))) {
    run('npm ci --no-audit --no-fund');
  }
  if (args.has('--tools')) {
    // helm and kubernetes-validate for the chart tests; fast and silent when already installed.
    run('bash scripts/install-tools.sh');
  }
  if (args.has('--build')) {
    const built = mtime(path.join(root, 'dist', '.build-stamp'));
    const sources = Math.max(newestIn(path.join(root, 'server')), newestIn(path.join(root, 'bench')));
    if (built < sources || built < mtime(path.join(root, 'package-lock.json'))) {
      run('npx tsc -p tsconfig.build.json');
      fs.writeFileSync(path.join(root, 'dist', '.build-stamp'), new Date().toISOString());
    }
  }
  if (args.has('--build') || args.has('--console')) {
    // The operations console (console/, served by mgmt at /console): bundled into dist/console.
    const built = mtime(path.join(root, 'dist', 'console', '.build-stamp'));
    const sources = Math.max(
      newestIn(path.join(root, 'console')),
      mtime(path.join(root, 'package-lock.json')),
    );
    if (built < sources) run('node console/build.mjs');
  }
  if (args.has('--stack')) {
    const { ensureStack } = require('./ensure-stack');
    await ensureStack();
  }
}

main().catch((e) => {
  process.stderr.write(`sdp: ${e.message}\n`);
  process.exit(1);
});
