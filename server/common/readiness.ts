import type { Client as OpenSearchClient } from '@opensearch-project/opensearch';
import type { Admin } from 'kafkajs';
import type { Knex } from 'knex';
import { describeError } from './errors';

/**
 * Bound on each dependency check of /ready (ms). Below the readiness probe's timeout (5 s in the
 * chart), so a hung dependency answers 503 naming it instead of the probe timing out blind.
 */
export const READINESS_CHECK_TIMEOUT_MS = 3000;

/**
 * The OpenSearch client's own timeout for the health call (ms). Under `READINESS_CHECK_TIMEOUT_MS`
 * so the client aborts its request (and reports why) before the outer bound gives up on it.
 */
export const OPENSEARCH_HEALTH_TIMEOUT_MS = 2500;

export interface DependencyCheck {
  name: string;
  check(): Promise<void>;
}

export interface ReadinessResult {
  ready: boolean;
  checks: Record<string, { ok: boolean; error?: string; ms: number }>;
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

export async function runChecks(
  checks: DependencyCheck[],
  timeoutMs = READINESS_CHECK_TIMEOUT_MS,
): Promise<ReadinessResult> {
  const entries = await Promise.all(
    checks.map(async (c) => {
      const started = Date.now();
      try {
        await withTimeout(c.check(), timeoutMs, c.name);
        return [c.name, { ok: true, ms: Date.now() - started }] as const;
      } catch (e) {
        return [c.name, { ok: false, error: describeError(e), ms: Date.now() - started }] as const;
      }
    }),
  );
  return { ready: entries.every(([, r]) => r.ok), checks: Object.fromEntries(entries) };
}

export const mariadbCheck = (db: Knex): DependencyCheck => ({
  name: 'mariadb',
  check: async () => {
    await db.raw('SELECT 1');
  },
});

export const kafkaCheck = (admin: Admin): DependencyCheck => ({
  name: 'kafka',
  check: async () => {
    await admin.describeCluster();
  },
});

export const opensearchCheck = (client: OpenSearchClient): DependencyCheck => ({
  name: 'opensearch',
  check: async () => {
    await client.cluster.health({}, { requestTimeout: OPENSEARCH_HEALTH_TIMEOUT_MS });
  },
});
