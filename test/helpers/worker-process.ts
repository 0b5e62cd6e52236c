import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import {
  createWriteStream,
  existsSync,
  mkdirSync,
  readdirSync,
  rmSync,
  statSync,
  WriteStream,
} from 'node:fs';
import path from 'node:path';
import { findAppRoot } from '../../server/common/paths';

const ROOT = findAppRoot();

function newest(dir: string): number {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    n = Math.max(n, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return n;
}

async function withLock<T>(lock: string, fn: () => T): Promise<T> {
  mkdirSync(path.dirname(lock), { recursive: true });
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // A lock older than two minutes belongs to a run that died.
      if (existsSync(lock) && Date.now() - statSync(lock).mtimeMs > 120_000)
        rmSync(lock, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`could not take ${lock}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  try {
    return fn();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/**
 * A private build of one entry point (and what it imports) into dist/.<name>-test, so tests never
 * race `npm run build` on dist/; compiled again only when a source under `watch` changed.
 */
async function buildEntry(name: string, entry: string, watch: string[]): Promise<string> {
  const out = path.join(ROOT, 'dist', `.${name}-test`);
  const built = path.join(out, entry.replace(/\.ts$/, '.js'));
  return withLock(path.join(ROOT, 'dist', `.${name}-test.lock`), () => {
    const sources = Math.max(...watch.map((d) => newest(path.join(ROOT, d))));
    if (existsSync(built) && statSync(built).mtimeMs > sources) return built;
    rmSync(out, { recursive: true, force: true });
    const tsc = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    // Same compiler settings as tsconfig.json, for the entry's import graph only.
    const args = [
      tsc,
      entry,
      ...['--outDir', out, '--rootDir', '.', '--target', 'ES2022', '--module', 'Node20'],
      ...['--moduleResolution', 'Node16', '--esModuleInterop', '--resolveJsonModule', '--skipLibCheck'],
      ...['--strict', '--types', 'node'],
    ];
    execFileSync(process.execPath, args, { cwd: ROOT, stdio: 'pipe' });
    return built;
  });
}

/** Compiles server/pipeline-worker/main.ts and its imports when the sources changed. Returns the entry. */
export function buildWorker(): Promise<string> {
  return buildEntry('worker', path.join('server', 'pipeline-worker', 'main.ts'), [
    path.join('server', 'pipeline-worker'),
    path.join('server', 'common'),
  ]);
}

/** Compiles the `sdp` CLI (cli/main.ts) when its sources changed. Returns the entry. */
export function buildCli(): Promise<string> {
  return buildEntry('cli', path.join('cli', 'main.ts'), ['cli']);
}

export interface WorkerProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  /** Resolves with the HTTP port once the worker logged that it listens. */
  readonly ready: Promise<number>;
  /** Resolves with the exit code (or the signal name) when the process ends. */
  readonly exited: Promise<number | string>;
  readonly logFile: string;
  kill(signal: NodeJS.Signals): void;
}

const LOG_DIR = path.join(ROOT, 'dist', '.worker-test-logs');

/** Starts `node dist/.../pipeline-worker/main.js` with `env` on top of this process' environment. */
export function spawnWorker(
  entry: string,
  env: Record<string, string>,
  name = 'worker',
  nodeArgs: string[] = [],
): WorkerProcess {
  mkdirSync(LOG_DIR, { recursive: true });
  const logFile = path.join(LOG_DIR, `${name}-${Date.now()}-${Math.random().toString(16).slice(2, 6)}.log`);
  const log: WriteStream = createWriteStream(logFile);
  const child = spawn(process.execPath, [...nodeArgs, entry], {
    cwd: ROOT,
    env: {
      ...process.env,
      SDP_WORKER_PORT: '0',
      SDP_LOG_LOG_LEVEL: 'info',
      SDP_LOG_DEVELOP_MODE: 'false',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let resolveReady!: (port: number) => void;
  let rejectReady!: (e: Error) => void;
  const ready = new Promise<number>((res, rej) => {
    resolveReady = res;
    rejectReady = rej;
  });
  ready.catch(() => undefined);
  let pending = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    log.write(chunk);
    pending += chunk.toString('utf8');
    let nl: number;
    while ((nl = pending.indexOf('\n')) >= 0) {
      const line = pending.slice(0, nl);
      pending = pending.slice(nl + 1);
      if (line.includes('pipeline-worker listening')) {
        try {
          resolveReady((JSON.parse(line) as { port: number }).port);
        } catch {
          /* not JSON */
        }
      }
    }
  });
  child.stderr!.on('data', (chunk: Buffer) => log.write(chunk));
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => {
      rejectReady(new Error(`worker exited (${code ?? signal}) before it was ready; see ${logFile}`));
      log.end();
      resolve(code ?? signal ?? 'unknown');
    });
  });
  return {
    child,
    pid: child.pid!,
    ready,
    exited,
    logFile,
    kill: (signal) => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    },
  };
}

/** Ends a worker if it still runs (SIGKILL), for `finally` blocks. */
export async function killWorker(w: WorkerProcess | undefined): Promise<void> {
  if (!w) return;
  w.kill('SIGKILL');
  await w.exited;
}

/**
 * The environment of a worker process beside an in-process pipeline-mgmt (a MgmtHarness): its
 * database and services, and a short Kafka session so a killed worker's partitions move on quickly.
 */
export function workerEnvFor(
  config: { mysql: { url: string }; kafkaBrokers: string[]; opensearch: { url: string } },
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    SDP_MYSQL_URL: config.mysql.url,
    SDP_KAFKA_BROKERS: config.kafkaBrokers.join(','),
    SDP_OPENSEARCH_URL: config.opensearch.url,
    SDP_KAFKA_SESSION_TIMEOUT_MS: '6000',
    ...extra,
  };
}
