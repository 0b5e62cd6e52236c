/**
 * The one retry helper: exponential backoff with full jitter, capped, bounded in attempts, abortable,
 * with a `bail(err)` escape for errors that must not be retried.
 */
export interface RetryOptions {
  /** First delay (ms). */
  initialMs: number;
  /** Largest delay (ms). */
  maxMs: number;
  /** Growth per attempt. */
  factor: number;
  /** Attempts in all, including the first; Infinity retries until aborted. */
  maxAttempts: number;
  /** Aborts waiting and further attempts. */
  signal?: AbortSignal;
  /** Called before each wait with the error and the coming delay. */
  onRetry?: (err: unknown, attempt: number, delayMs: number) => void;
  /** Whether an error may be retried (default: anything not marked `retriable: false` and not a bug). */
  isRetriable?: (err: unknown) => boolean;
  /** Source of randomness, for tests. */
  random?: () => number;
}

export const DEFAULT_RETRY: RetryOptions = { initialMs: 200, maxMs: 30_000, factor: 2, maxAttempts: 8 };

export class AbortedError extends Error {
  constructor(message = 'aborted') {
    super(message);
    this.name = 'AbortedError';
  }
}

/** TypeError, RangeError, SyntaxError and ReferenceError are bugs: never retried. */
export function isBug(err: unknown): boolean {
  return (
    err instanceof TypeError ||
    err instanceof RangeError ||
    err instanceof SyntaxError ||
    err instanceof ReferenceError
  );
}

export function defaultIsRetriable(err: unknown): boolean {
  if (isBug(err)) return false;
  const flag = (err as { retriable?: unknown } | null)?.retriable;
  return flag !== false;
}

/** Delay before retry number `attempt` (1-based), full jitter in [cap/2, cap]. */
export function backoffDelay(
  attempt: number,
  o: Pick<RetryOptions, 'initialMs' | 'maxMs' | 'factor' | 'random'>,
): number {
  const cap = Math.min(o.maxMs, o.initialMs * Math.pow(o.factor, Math.max(0, attempt - 1)));
  const r = (o.random ?? Math.random)();
  return Math.round(cap / 2 + (cap / 2) * r);
}

/** Resolves after `ms`, or rejects with AbortedError as soon as the signal aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new AbortedError());
    const onAbort = () => {
      clearTimeout(timer);
      reject(new AbortedError());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

class Bail {
  constructor(readonly error: unknown) {}
}

export async function retry<T>(
  fn: (attempt: number, bail: (err: unknown) => never) => Promise<T>,
  options: Partial<RetryOptions> = {},
): Promise<T> {
  const o: RetryOptions = { ...DEFAULT_RETRY, ...options };
  const isRetriable = o.isRetriable ?? defaultIsRetriable;
  const bail = (err: unknown): never => {
    throw new Bail(err);
  };
  for (let attempt = 1; ; attempt++) {
    if (o.signal?.aborted) throw new AbortedError();
    try {
      return await fn(attempt, bail);
    } catch (err) {
      if (err instanceof Bail) throw err.error;
      if (!isRetriable(err) || attempt >= o.maxAttempts) throw err;
      const delay = backoffDelay(attempt, o);
      o.onRetry?.(err, attempt, delay);
      await sleep(delay, o.signal);
    }
  }
}
