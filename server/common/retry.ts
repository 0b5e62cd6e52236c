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
  /**
   * Share of each delay that is random (0-1): a delay lies in [cap × (1 - jitter), cap]. Default 0.5,
   * which spreads retrying clients widely; a schedule that must last at least a given time uses less.
   */
  jitter?: number;
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

/** Most `cause` links followed (a cycle or a very deep chain stops there). */
const MAX_CAUSE_DEPTH = 10;

/**
 * The error at the end of the `cause` chain: what really went wrong. Wrappers (ours, kafkajs'
 * "number of retries exceeded") add context; the root says whether trying again can help.
 */
export function rootCause(err: unknown): unknown {
  let cur = err;
  for (let i = 0; i < MAX_CAUSE_DEPTH; i++) {
    const next = (cur as { cause?: unknown } | null)?.cause;
    if (next === undefined || next === null || next === cur) break;
    cur = next;
  }
  return cur;
}

/**
 * Whether trying again may succeed: never for a bug (anywhere in the chain); otherwise the root
 * cause's `retriable` flag decides (ours, or kafkajs'), and an error without one is retriable.
 */
export function defaultIsRetriable(err: unknown): boolean {
  if (isBug(err)) return false;
  const root = rootCause(err);
  if (isBug(root)) return false;
  const flag = (root as { retriable?: unknown } | null)?.retriable;
  return flag !== false;
}

/** Delay before retry number `attempt` (1-based): exponential up to the cap, the top `jitter` share random. */
export function backoffDelay(
  attempt: number,
  o: Pick<RetryOptions, 'initialMs' | 'maxMs' | 'factor' | 'random' | 'jitter'>,
): number {
  const cap = backoffCap(attempt, o);
  const jitter = Math.min(1, Math.max(0, o.jitter ?? 0.5));
  const r = (o.random ?? Math.random)();
  return Math.round(cap * (1 - jitter) + cap * jitter * r);
}

/** The largest delay before retry number `attempt` (before jitter). */
export function backoffCap(attempt: number, o: Pick<RetryOptions, 'initialMs' | 'maxMs' | 'factor'>): number {
  return Math.min(o.maxMs, o.initialMs * Math.pow(o.factor, Math.max(0, attempt - 1)));
}

/**
 * The least time `attempts` failed attempts in a row can take (the sum of the shortest delays between
 * them), whatever the jitter draws: how long an outage a failure threshold rides out.
 */
export function minimumRetrySpanMs(
  attempts: number,
  o: Pick<RetryOptions, 'initialMs' | 'maxMs' | 'factor' | 'jitter'>,
): number {
  let total = 0;
  for (let n = 1; n < attempts; n++) total += backoffDelay(n, { ...o, random: () => 0 });
  return total;
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
