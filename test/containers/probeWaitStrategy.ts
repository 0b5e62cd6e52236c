import { spawnSync } from 'node:child_process';
import type { WaitStrategy } from 'testcontainers';

type ContainerHandle = Parameters<WaitStrategy['waitUntilReady']>[0];

/** What a probe answers: ready, or not yet and why (shown when the wait times out). */
export type ProbeResult = { ready: true } | { ready: false; why: string };

/**
 * A testcontainers wait strategy that asks the service itself from the host, with its own client
 * (a login, a metadata request, a health request), until it answers as ready. The containers run
 * with host networking, so there are no mapped ports for testcontainers' port and HTTP strategies to
 * use; the probe connects to the service's own port on 127.0.0.1. Fails early, with the container's
 * last log lines, when the container exits before it is ready.
 */
export class ProbeWaitStrategy implements WaitStrategy {
  private startupTimeoutMs = 180_000;
  private startupTimeoutSet = false;

  constructor(
    private readonly service: string,
    private readonly probe: () => Promise<ProbeResult>,
    private readonly intervalMs = 500,
  ) {}

  async waitUntilReady(container: ContainerHandle): Promise<void> {
    const deadline = Date.now() + this.startupTimeoutMs;
    let last = 'no answer yet';
    for (;;) {
      try {
        const r = await this.probe();
        if (r.ready) return;
        last = r.why;
      } catch (err) {
        last = err instanceof Error ? err.message : String(err);
      }
      const state = (await container.inspect()).State;
      if (!state.Running) {
        throw new Error(
          `${this.service}: container exited (code ${state.ExitCode}) before it was ready; last log lines:\n` +
            containerLogTail(container.id),
        );
      }
      if (Date.now() >= deadline) {
        throw new Error(
          `${this.service}: not ready within ${this.startupTimeoutMs} ms (last probe: ${last}); last log lines:\n` +
            containerLogTail(container.id),
        );
      }
      await new Promise((resolve) => setTimeout(resolve, this.intervalMs));
    }
  }

  withStartupTimeout(startupTimeoutMs: number): this {
    this.startupTimeoutMs = startupTimeoutMs;
    this.startupTimeoutSet = true;
    return this;
  }

  isStartupTimeoutSet(): boolean {
    return this.startupTimeoutSet;
  }

  getStartupTimeout(): number {
    return this.startupTimeoutMs;
  }
}

/**
 * The container's last log lines, its stdout and stderr interleaved (Debian's docker CLI, on the
 * daemon DOCKER_HOST names), for errors.
 */
export function containerLogTail(id: string, lines = 60): string {
  const r = spawnSync(
    'sh',
    ['-c', 'exec /usr/bin/docker logs --tail "$1" "$2" 2>&1', 'docker-logs', String(lines), id],
    {
      encoding: 'utf8',
      timeout: 10_000,
    },
  );
  return r.stdout || `(docker logs ${id} gave nothing: ${r.error?.message ?? `exit ${r.status}`})`;
}
