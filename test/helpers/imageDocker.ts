import { execFileSync, spawnSync } from 'node:child_process';
import path from 'node:path';

// The project's image, built by scripts/image.sh and run with Debian's docker CLI on the private
// daemon. In CI (CI=true) a failure to build is an error; elsewhere the suite says why it skips.

const ROOT = path.resolve(__dirname, '../..');
export const DOCKER = '/usr/bin/docker';

export interface ImageEnv {
  dockerHost: string;
  image: string;
}

/** Builds (or finds cached) the image; returns undefined with a reason when docker cannot run here. */
export function buildImage(): { env?: ImageEnv; reason?: string } {
  // Opt-in (npm run test:image, which CI runs as its own step): a plain `npm test` stays on the stack
  // and does not build images.
  if (process.env.SDP_TEST_IMAGE !== '1') return { reason: 'set SDP_TEST_IMAGE=1 (npm run test:image)' };
  const r = spawnSync('bash', [path.join(ROOT, 'scripts/image.sh'), 'build'], {
    encoding: 'utf8',
    timeout: 900_000,
  });
  if (r.status !== 0) {
    const reason = `scripts/image.sh build failed (exit ${r.status}):\n${r.stderr.slice(-3000)}`;
    if (process.env.CI === 'true') throw new Error(reason);
    return { reason };
  }
  const vars = Object.fromEntries(
    [...r.stdout.matchAll(/^export (\w+)=(.*)$/gm)].map((m) => [m[1]!, m[2]!] as const),
  );
  return { env: { dockerHost: vars.DOCKER_HOST!, image: vars.SDP_IMAGE! } };
}

export function docker(env: ImageEnv, args: string[], timeout = 60_000): string {
  return execFileSync(DOCKER, args, {
    encoding: 'utf8',
    timeout,
    env: { ...process.env, DOCKER_HOST: env.dockerHost },
  });
}
