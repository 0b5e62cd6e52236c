import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createTestDatabase, TestDatabase, waitFor } from '../helpers';
import { instr, readDockerfile, Stage, workdir } from '../helpers/dockerfile';

// The Dockerfile's stages re-enacted without Docker (the image itself is built and run in imageContainer.test.ts): the builder's COPYs
// and compile, then the runtime's files with production dependencies only, run as uid 1000 against
// the real stack (the same files, the same compile, a non-root user, SIGTERM). The Dockerfile's text
// is checked in test/packaging/ship-files.test.ts.

const ROOT = path.resolve(__dirname, '../..');
const read = (p: string) => readFileSync(path.join(ROOT, p), 'utf8');
const pkg = JSON.parse(read('package.json')) as {
  version: string;
  scripts: Record<string, string>;
  dependencies: Record<string, string>;
};
const { builder, runtime } = readDockerfile(ROOT);

/** What `npm ci --omit=dev` installs: the lock's packages not marked dev, copied from node_modules. */
function copyProductionDependencies(appDir: string): number {
  const lock = JSON.parse(read('package-lock.json')) as {
    packages: Record<string, { dev?: boolean; optional?: boolean; link?: boolean }>;
  };
  let n = 0;
  for (const [p, meta] of Object.entries(lock.packages)) {
    if (!p.startsWith('node_modules/') || meta.dev || meta.link) continue;
    const from = path.join(ROOT, p);
    if (!existsSync(from)) {
      if (meta.optional) continue; // another platform's optional binary
      throw new Error(`${p} is in package-lock.json but not installed: run npm ci`);
    }
    cpSync(from, path.join(appDir, p), { recursive: true, dereference: true });
    n++;
  }
  // Nested copies above include their parents' own node_modules; that is what npm lays out too.
  return n;
}

/** Copies a stage's `COPY <src>... <dest>` (from the build context) into `stageRoot`. */
function applyCopies(stage: Stage, stageRoot: string, builderRoot?: string): void {
  for (const args of instr(stage, 'COPY')) {
    const parts = args.split(' ');
    const from = parts[0]!.startsWith('--from=') ? parts.shift()!.slice('--from='.length) : undefined;
    const dest = parts.pop()!;
    // the deps stage's node_modules: copyProductionDependencies lays out what its npm ci installs
    if (from === 'deps') continue;
    for (const src of parts) {
      const source =
        from === 'builder'
          ? path.join(builderRoot!, path.relative(workdir(builder), src))
          : path.join(ROOT, src);
      const target = dest.endsWith('/')
        ? path.join(stageRoot, dest, path.basename(src))
        : path.join(stageRoot, dest);
      cpSync(source, target, { recursive: true });
    }
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      s.close(() => resolve(typeof addr === 'object' && addr ? addr.port : 0));
    });
  });
}

describe('the image, re-enacted stage by stage on the real stack', () => {
  let work: string;
  let appDir: string;
  let tdb: TestDatabase;
  const children: ChildProcess[] = [];
  const asUser = process.getuid?.() === 0 ? { uid: 1000, gid: 1000 } : {};

  beforeAll(async () => {
    work = mkdtempSync(path.join(tmpdir(), 'sdp-image-'));
    chmodSync(work, 0o755);
    const srcDir = path.join(work, 'src');
    appDir = path.join(work, 'app');
    mkdirSync(srcDir);
    mkdirSync(appDir);
    // builder: COPY ... ; RUN npm ci (the repo's node_modules, installed from the same lock); RUN npm run build
    applyCopies(builder, srcDir);
    symlinkSync(path.join(ROOT, 'node_modules'), path.join(srcDir, 'node_modules'));
    const tsc = spawnSync(
      process.execPath,
      [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'],
      {
        cwd: srcDir,
        encoding: 'utf8',
        timeout: 240_000,
      },
    );
    if (tsc.status !== 0)
      throw new Error(`the builder stage's compile fails on its COPYed files:\n${tsc.stdout}${tsc.stderr}`);
    // runtime: COPY package*.json; RUN npm ci --omit=dev; COPY --from=builder dist; COPY config
    applyCopies(runtime, appDir, srcDir);
    copyProductionDependencies(appDir);
    tdb = await createTestDatabase();
  }, 300_000);

  afterAll(async () => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    await tdb?.drop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  function run(args: string[], env: Record<string, string>): ChildProcess & { output: () => string } {
    const child = spawn(process.execPath, args, {
      cwd: appDir,
      ...asUser,
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        NODE_ENV: 'production',
        SDP_CONFIG: path.join(appDir, 'config', 'pipeline-config.yaml'),
        SDP_MYSQL_URL: tdb.url,
        SDP_KAFKA_BROKERS: process.env.SDP_KAFKA_BROKERS ?? '127.0.0.1:9092',
        SDP_OPENSEARCH_URL: process.env.SDP_OPENSEARCH_URL ?? 'http://127.0.0.1:9200',
        SDP_LOG_LOG_LEVEL: 'info',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    children.push(child);
    return Object.assign(child, { output: () => out });
  }

  const exited = (c: ChildProcess) =>
    new Promise<number | null>((resolve) =>
      c.exitCode !== null ? resolve(c.exitCode) : c.once('exit', resolve),
    );

  it('holds the production dependencies only, with package.json beside dist/', () => {
    expect(existsSync(path.join(appDir, 'package.json'))).toBe(true);
    expect(existsSync(path.join(appDir, 'dist/server/main.js'))).toBe(true);
    for (const dep of Object.keys(pkg.dependencies))
      expect(existsSync(path.join(appDir, 'node_modules', dep))).toBe(true);
    for (const devOnly of ['typescript', 'jest', 'eslint', 'ts-jest']) {
      expect(existsSync(path.join(appDir, 'node_modules', devOnly))).toBe(false);
    }
  });

  it('migrates (the hook Job command), then serves mgmt and worker /health and /ready as uid 1000, and stops cleanly on SIGTERM', async () => {
    const migrate = run(['dist/server/common/db/migrate-cli.js'], {});
    expect({ code: await exited(migrate), out: migrate.output() }).toEqual({
      code: 0,
      out: expect.any(String),
    });

    const [mgmtPort, workerPort] = [await freePort(), await freePort()];
    const services = [
      {
        name: 'pipeline-mgmt',
        port: mgmtPort,
        proc: run(['dist/server/pipeline-mgmt/main.js'], { SDP_HTTP_PORT: String(mgmtPort) }),
      },
      {
        name: 'pipeline-worker',
        port: workerPort,
        proc: run(['dist/server/pipeline-worker/main.js'], { SDP_WORKER_PORT: String(workerPort) }),
      },
    ];
    for (const s of services) {
      const health = await waitFor(
        async () => {
          if (s.proc.exitCode !== null)
            throw new Error(`${s.name} exited ${s.proc.exitCode}:\n${s.proc.output()}`);
          const r = await fetch(`http://127.0.0.1:${s.port}/health`);
          return r.ok ? ((await r.json()) as Record<string, string>) : undefined;
        },
        { timeoutMs: 60_000, what: `${s.name} /health` },
      ).catch((e: Error) => {
        throw new Error(`${e.message}\n${s.proc.output()}`);
      });
      expect(health).toMatchObject({ service: s.name, version: pkg.version });
      const ready = await waitFor(async () => (await fetch(`http://127.0.0.1:${s.port}/ready`)).ok, {
        timeoutMs: 30_000,
        what: `${s.name} /ready`,
      });
      expect(ready).toBe(true);
    }
    if (asUser.uid !== undefined) {
      for (const s of services) {
        expect(readFileSync(`/proc/${s.proc.pid}/status`, 'utf8')).toMatch(/^Uid:\s+1000\s/m);
      }
    }
    for (const s of services) {
      const t0 = Date.now();
      s.proc.kill('SIGTERM');
      expect({ name: s.name, code: await exited(s.proc) }).toEqual({ name: s.name, code: 0 });
      expect(Date.now() - t0).toBeLessThan(30_000);
    }
  }, 180_000);
});
