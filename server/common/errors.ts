/**
 * One error hierarchy for both services. HTTP adapters map these to a status and a stable `code`
 * in one place (see http/errorMiddleware.ts); workers read `retriable` to decide what to retry.
 */
export class SdpError extends Error {
  /** Stable machine-readable code, returned to API clients. */
  readonly code: string;
  /** Whether trying again later may succeed. */
  readonly retriable: boolean;
  readonly details?: unknown;

  constructor(
    message: string,
    options: { code: string; retriable?: boolean; cause?: unknown; details?: unknown },
  ) {
    super(message, { cause: options.cause });
    this.name = new.target.name;
    this.code = options.code;
    this.retriable = options.retriable ?? false;
    this.details = options.details;
  }
}

/** Bad configuration: the process must not start. */
export class ConfigError extends SdpError {
  constructor(message: string) {
    super(message, { code: 'config_invalid' });
  }
}

/** The caller sent something invalid (400). */
export class InputError extends SdpError {
  constructor(message: string, details?: unknown, code = 'invalid_request') {
    super(message, { code, details });
  }
}

export class NotFoundError extends SdpError {
  constructor(message: string, code = 'not_found') {
    super(message, { code });
  }
}

/** The request conflicts with the current state (409). */
export class ConflictError extends SdpError {
  constructor(message: string, code = 'conflict', details?: unknown) {
    super(message, { code, details });
  }
}

/** An If-Match precondition failed (412). */
export class PreconditionFailedError extends SdpError {
  constructor(message: string, details?: unknown) {
    super(message, { code: 'precondition_failed', details });
  }
}

/** The request body is in a media type the endpoint does not accept (415). */
export class UnsupportedMediaTypeError extends SdpError {
  constructor(message: string) {
    super(message, { code: 'unsupported_media_type' });
  }
}

export class UnauthenticatedError extends SdpError {
  constructor(message = 'missing or invalid credentials') {
    super(message, { code: 'unauthenticated' });
  }
}

export class ForbiddenError extends SdpError {
  constructor(message = 'not allowed') {
    super(message, { code: 'forbidden' });
  }
}

/** The caller made too many requests; it may try again after `retryAfterSec` (429 with Retry-After). */
export class RateLimitedError extends SdpError {
  readonly retryAfterSec: number;

  constructor(message: string, retryAfterSec: number, code = 'rate_limited') {
    super(message, { code, retriable: true });
    this.retryAfterSec = retryAfterSec;
  }
}

/** A service we depend on (MariaDB, Kafka, OpenSearch) failed or is unreachable (503). */
export class DependencyError extends SdpError {
  constructor(message: string, options: { code?: string; cause?: unknown; retriable?: boolean } = {}) {
    super(message, {
      code: options.code ?? 'dependency_unavailable',
      cause: options.cause,
      retriable: options.retriable ?? true,
    });
  }
}

/** Narrow an unknown thrown value to an Error without losing it. */
export function toError(e: unknown): Error {
  return e instanceof Error ? e : new Error(String(e));
}

/** A short, loggable description of an error and its causes. */
export function describeError(e: unknown): string {
  const parts: string[] = [];
  let cur: unknown = e;
  for (let depth = 0; cur !== undefined && cur !== null && depth < 5; depth++) {
    const err = toError(cur);
    parts.push(`${err.name}: ${err.message}`);
    cur = (err as { cause?: unknown }).cause;
  }
  return parts.join(' <- ');
}
