/**
 * Pure classification of OpenSearch bulk outcomes (reliability notes §3.1). Environmental failures are
 * retried, never dropped; only a document's own fault (a 400-class item error) sends it to the error
 * topic.
 */
export type ItemVerdict = 'ok' | 'retry' | 'permanent';

/** Error types that mean "the cluster is not accepting writes right now", whatever the status. */
const RETRIABLE_TYPES = new Set([
  'cluster_block_exception',
  'es_rejected_execution_exception',
  'opensearch_rejected_execution_exception',
  'rejected_execution_exception',
  'circuit_breaking_exception',
  'unavailable_shards_exception',
  'index_not_found_exception',
  'no_shard_available_action_exception',
  'process_cluster_event_timeout_exception',
  'node_not_connected_exception',
  'node_disconnected_exception',
  'timeout_exception',
  'receive_timeout_transport_exception',
]);

/** One bulk item: ok (2xx, or 409 on an idempotent write), retry, or permanent (goes to the error topic). */
export function classifyItem(status: number | undefined, errorType?: string): ItemVerdict {
  if (status === undefined || !Number.isFinite(status)) return 'retry';
  if (status >= 200 && status < 300) return 'ok';
  if (status === 409) return 'ok';
  if (errorType && RETRIABLE_TYPES.has(errorType)) return 'retry';
  if (status === 429 || status >= 500) return 'retry';
  // 401/403 (security, write blocks), 404 (index missing), 408 (timeout): wait for an operator.
  if (status === 401 || status === 403 || status === 404 || status === 408) return 'retry';
  if (status >= 400 && status < 500) return 'permanent';
  return 'retry';
}

export type RequestVerdict =
  /** Try the same request again later. */
  | 'retry'
  /** The body was refused as a whole because of its content or size: split it to find the culprit. */
  | 'split';

/**
 * A failed bulk request. No status (connection refused, reset, timeout, unreadable response) and
 * 408/429/5xx/401/403/404 are retried; 413 and other 4xx mean the body itself was refused, so the batch
 * is split (a single record refused this way is that record's own fault).
 */
export function classifyRequestFailure(status: number | undefined): RequestVerdict {
  if (status === undefined) return 'retry';
  if (status === 413) return 'split';
  if (status === 429 || status >= 500) return 'retry';
  if (status === 401 || status === 403 || status === 404 || status === 408) return 'retry';
  if (status >= 400 && status < 500) return 'split';
  return 'retry';
}
