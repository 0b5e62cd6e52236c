import type { RequestHandler } from 'express';
import { RateLimitedError } from '../../common/errors';
import { RATE_LIMIT_MAX_KEYS } from '../defaults';
import { BOOTSTRAP_ADMIN } from '../interfaces/actor';
import { actorFrom } from './http';

export type Take = { ok: true } | { ok: false; retryAfterSec: number };

export interface RateLimiter {
  /** Spends one request of `key`'s bucket. */
  take(key: string): Take;
}

export interface TokenBucketSettings {
  /** Average requests per second (the refill rate). */
  ratePerSec: number;
  /** Bucket size: requests allowed at once. */
  burst: number;
  /** Clock in seconds (default: monotonic). */
  nowSec?: () => number;
  /** Buckets kept before full ones are dropped (a full bucket carries no state). Default `RATE_LIMIT_MAX_KEYS`. */
  maxKeys?: number;
}

/**
 * In-process token buckets, one per key. Each replica of pipeline-mgmt limits on its own, so the
 * effective limit behind a load balancer is up to replicas x rate. No library: this is 30 lines.
 */
export function createTokenBucketLimiter({
  ratePerSec,
  burst,
  nowSec = () => performance.now() / 1000,
  maxKeys = RATE_LIMIT_MAX_KEYS,
}: TokenBucketSettings): RateLimiter {
  const buckets = new Map<string, { tokens: number; at: number }>();
  const level = (b: { tokens: number; at: number }, now: number) =>
    Math.min(burst, b.tokens + (now - b.at) * ratePerSec);

  const sweep = (now: number) => {
    for (const [key, b] of buckets) if (level(b, now) >= burst) buckets.delete(key);
  };

  return {
    take: (key) => {
      const now = nowSec();
      const b = buckets.get(key) ?? { tokens: burst, at: now };
      const tokens = level(b, now);
      if (tokens >= 1) {
        buckets.set(key, { tokens: tokens - 1, at: now });
        if (buckets.size > maxKeys) sweep(now);
        return { ok: true };
      }
      buckets.set(key, { tokens, at: now });
      return { ok: false, retryAfterSec: Math.max(1, Math.ceil((1 - tokens) / ratePerSec)) };
    },
  };
}

/**
 * A `RateLimitedError` (429 `rate_limited` with `Retry-After`, see errorMiddleware.ts) when the caller's token has used up its bucket. Runs after
 * authentication: the key is the token (the bootstrap admin has one bucket of its own).
 */
export function createRateLimit({ limiter }: { limiter: RateLimiter }): RequestHandler {
  return (_req, res, next) => {
    const actor = actorFrom(res);
    const r = limiter.take(actor.tokenId ?? BOOTSTRAP_ADMIN);
    next(
      r.ok
        ? undefined
        : new RateLimitedError(
            `too many requests for this token; retry after ${r.retryAfterSec} s`,
            r.retryAfterSec,
          ),
    );
  };
}
