import { DependencyError } from '../../common/errors';

const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'PROTOCOL_CONNECTION_LOST',
  'ER_CON_COUNT_ERROR',
  'ER_SERVER_SHUTDOWN',
  'ER_LOCK_WAIT_TIMEOUT',
  'ER_LOCK_DEADLOCK',
]);

export function isDuplicateKey(e: unknown): boolean {
  return (e as { code?: unknown } | null)?.code === 'ER_DUP_ENTRY';
}

/** Runs a query; an unreachable or overloaded database becomes a 503, anything else stays a bug (500). */
export async function dbCall<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e: unknown) {
    const err = e as { code?: unknown; name?: unknown } | null;
    if (
      (typeof err?.code === 'string' && UNAVAILABLE_CODES.has(err.code)) ||
      err?.name === 'KnexTimeoutError'
    ) {
      throw new DependencyError('MariaDB is unavailable', { code: 'database_unavailable', cause: e });
    }
    throw e;
  }
}
