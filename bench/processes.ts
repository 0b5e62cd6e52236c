import type { Client } from '@opensearch-project/opensearch';
import { ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

/** Starts a compiled service from dist/ as a child process, logs to a file-less pipe we drain. */
export function startService(
  root: string,
  entry: string,
  env: Record<string, string>,
  nodeArgs: string[] = [],
): ChildProcess {
  const child = spawn(process.execPath, [...nodeArgs, path.join(root, 'dist', 'server', entry)], {
    env: { ...process.env, SDP_LOG_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let tail = '';
  const keep = (b: Buffer) => {
    tail = (tail + b.toString()).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  child.on('exit', (code, signal) => {
    if (code && code !== 0) process.stderr.write(`bench: ${entry} exited ${code ?? signal}\n${tail}\n`);
  });
  return child;
}

export async function stopService(child: ChildProcess, timeoutMs = 30_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  await exited;
  clearTimeout(timer);
}

/** Peak RSS (VmHWM) in MiB, and CPU seconds used so far, of a live process. */
export function processStats(pid: number): { peakRssMb: number; rssMb: number; cpuSec: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]); // utime + stime, in clock ticks (100/s on Linux)
  return { peakRssMb: kb('VmHWM') / 1024, rssMb: kb('VmRSS') / 1024, cpuSec: ticks / 100 };
}

export async function waitUntil(
  fn: () => Promise<boolean>,
  timeoutMs: number,
  what: string,
  intervalMs = 250,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await fn())) {
    if (Date.now() > deadline) throw new Error(`bench: timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/**
 * Documents indexed into `index` so far, from its indexing stats (primaries' index_total): unlike a
 * count it does not wait for a refresh (1 s), so first and last documents are timed to the poll.
 */
export async function indexedSoFar(client: Client, index: string): Promise<number> {
  const res = await client.indices.stats({ index, metric: 'indexing' });
  const all = res.body._all as { primaries?: { indexing?: { index_total?: number } } };
  return all.primaries?.indexing?.index_total ?? 0;
}
