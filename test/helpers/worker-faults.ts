import { existsSync, readdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import path from 'node:path';
import { findAppRoot } from '../../server/common/paths';
import { requireStackServices } from '../containers/serviceContainers';

/**
 * Fault injection for the worker suites. Every fault here is undone by its own `finally` or `close()`:
 * the services are shared with every other suite.
 */

export type ProxyMode =
  /** Forward to OpenSearch. */
  | 'pass'
  /** Answer every request 503, as an unavailable cluster does. */
  | '503'
  /** Answer every request 429. */
  | '429'
  /** Drop the connection without an answer (connection reset). */
  | 'reset';

export interface OpenSearchProxy {
  url: string;
  mode: ProxyMode;
  /** Requests with a larger body get 413, as OpenSearch does past `http.max_content_length` (0 = off). */
  maxBodyBytes: number;
  /** Requests seen per mode, `_bulk` requests forwarded, and requests refused with 413. */
  readonly counts: Record<ProxyMode | 'bulkForwarded' | 'tooLarge', number>;
  close(): Promise<void>;
}

/** A tiny HTTP proxy in front of OpenSearch whose behaviour a test switches at run time. */
export async function startOpenSearchProxy(target: string): Promise<OpenSearchProxy> {
  const upstream = new URL(target);
  const sockets = new Set<Socket>();
  const counts = { pass: 0, '503': 0, '429': 0, reset: 0, bulkForwarded: 0, tooLarge: 0 };
  const state = { mode: 'pass' as ProxyMode, maxBodyBytes: 0 };
  const server = http.createServer((req, res) => {
    const mode = state.mode;
    counts[mode]++;
    if (mode === 'reset') {
      req.socket.destroy();
      return;
    }
    if (mode === '503' || mode === '429') {
      req.resume();
      const type = mode === '503' ? 'unavailable_shards_exception' : 'es_rejected_execution_exception';
      res.writeHead(Number(mode), { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          error: { type, reason: `injected ${mode} by the test proxy` },
          status: Number(mode),
        }),
      );
      return;
    }
    const length = Number(req.headers['content-length'] ?? 0);
    if (state.maxBodyBytes > 0 && length > state.maxBodyBytes) {
      counts.tooLarge++;
      req.resume();
      res.writeHead(413, { 'content-type': 'text/plain', connection: 'close' });
      res.end('request entity too large');
      return;
    }
    if (req.url?.includes('_bulk')) counts.bulkForwarded++;
    const fwd = http.request(
      {
        hostname: upstream.hostname,
        port: upstream.port,
        path: req.url,
        method: req.method,
        headers: req.headers,
      },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    fwd.on('error', () => res.destroy());
    req.pipe(fwd);
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get mode() {
      return state.mode;
    },
    set mode(m: ProxyMode) {
      state.mode = m;
      // Keep-alive connections opened in another mode must not outlive the switch.
      for (const s of sockets) s.destroy();
    },
    get maxBodyBytes() {
      return state.maxBodyBytes;
    },
    set maxBodyBytes(n: number) {
      state.maxBodyBytes = n;
    },
    counts,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return '';
  }
}

/** The pid of the local Kafka broker: stack.sh's pid file, else the process running kafka.Kafka. */
export function kafkaBrokerPid(): number {
  requireStackServices('freezing the Kafka broker');
  const stackDir = process.env.SDP_STACK_DIR ?? path.join(findAppRoot(), '.stack');
  const pidFile = path.join(stackDir, 'run', 'kafka.pid');
  if (existsSync(pidFile)) {
    const pid = Number(readFileSync(pidFile, 'utf8').trim());
    if (pid > 0 && cmdline(pid).includes('kafka.Kafka')) return pid;
  }
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (pid > 0 && cmdline(pid).includes('kafka.Kafka')) return pid;
  }
  throw new Error('no local Kafka broker process found (is the stack up?)');
}

/**
 * Freezes the Kafka broker (SIGSTOP) for `ms`, then thaws it (SIGCONT) whatever happens, and also if
 * this process exits meanwhile. `during` runs while it is frozen.
 */
export async function withKafkaFrozen<T>(ms: number, during?: () => Promise<T>): Promise<T | undefined> {
  const pid = kafkaBrokerPid();
  const thaw = () => {
    try {
      process.kill(pid, 'SIGCONT');
    } catch {
      /* already gone */
    }
  };
  process.once('exit', thaw);
  process.kill(pid, 'SIGSTOP');
  try {
    const [result] = await Promise.all([during?.(), new Promise((r) => setTimeout(r, ms))]);
    return result as T | undefined;
  } finally {
    thaw();
    process.removeListener('exit', thaw);
  }
}
