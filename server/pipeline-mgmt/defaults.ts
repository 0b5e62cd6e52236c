/**
 * pipeline-mgmt's internal tuning constants, in one place. None is user configuration (that is
 * `common/config/schema.ts`); each has its unit in its name and one line of why it is what it is.
 */

/**
 * Retry policy of mgmt's kafkajs admin client (ms; kafkajs `retry` options).
 * Fewer and shorter retries than the data plane: a REST caller is waiting for the answer.
 */
export const KAFKA_ADMIN_RETRY = { initialRetryTime: 300, retries: 3, maxRetryTime: 5_000 } as const;

/**
 * Broker-side timeout of topic create / delete requests, and how long to wait for a deletion to
 * show or for a new topic's leaders (ms). Long enough for a loaded broker, short enough that the
 * caller gets a 503 rather than a proxy's timeout.
 */
export const KAFKA_TOPIC_TIMEOUT_MS = 30_000;

/**
 * Backoff while polling a new topic's metadata for its leaders (ms). Leaders usually appear
 * within tens of milliseconds, so start fast and stay cheap.
 */
export const LEADER_WAIT_BACKOFF = { initialMs: 50, maxMs: 500 } as const;

/**
 * Backoff while waiting for deleted topics to leave the metadata (ms). Deletion takes longer
 * than creation; a slower poll spares the broker.
 */
export const TOPIC_DELETE_BACKOFF = { initialMs: 100, maxMs: 1000 } as const;

/**
 * About how long one poll of that wait takes, backoff included (ms): the wait makes
 * `KAFKA_TOPIC_TIMEOUT_MS / TOPIC_DELETE_POLL_MS` attempts, and at least
 * `TOPIC_DELETE_MIN_ATTEMPTS`, so a short timeout still gets a few looks.
 */
export const TOPIC_DELETE_POLL_MS = 500;
export const TOPIC_DELETE_MIN_ATTEMPTS = 3;

/**
 * A record still `creating` after this long (ms) belongs to a create that died half-way; the next
 * create of that name cleans it up. Far longer than any create takes (seconds), so a slow one
 * in flight is never taken over.
 */
export const ABANDONED_CREATE_AFTER_MS = 15 * 60_000;

/**
 * How long delete waits for a pipeline's consumer group to empty before leaving it for Kafka to
 * expire (ms). Stopped workers leave within a poll or two (2 s each); a DELETE should not hang.
 */
export const GROUP_DELETE_WAIT_MS = 10_000;

/** Backoff between attempts to delete a consumer group that still has members (ms). */
export const GROUP_DELETE_BACKOFF = { initialMs: 250, maxMs: 2000 } as const;

/**
 * Compare-and-set attempts of an update or delete without `If-Match` before it gives up with 409
 * `concurrent_update` (attempts). Each lost race means someone else wrote; five in a row means
 * heavy contention the caller should hear about.
 */
export const CAS_ATTEMPTS = 5;

/**
 * Page size of the walk over every pipeline that /metrics' pipeline counts make (rows). Large
 * enough for few round trips, small enough to keep each query and its task lookup light.
 */
export const COUNT_PAGE_SIZE = 500;

/**
 * Rate-limit buckets kept before full ones are dropped (buckets). Bounds the limiter's memory
 * under many distinct tokens; a full bucket carries no state, so dropping it changes nothing.
 */
export const RATE_LIMIT_MAX_KEYS = 10_000;

/**
 * Retry policy of the ingest producer (ms; kafkajs `retry` options). A caller waits for the 202,
 * so a few short retries cover a leader change; longer outages answer 503 and the caller retries.
 */
export const INGEST_PRODUCER_RETRY = { initialRetryTime: 100, retries: 4, maxRetryTime: 2_000 } as const;

/**
 * Bytes per produce call of the ingest producer: each partition's record batch stays under the
 * broker's 1 MiB `message.max.bytes` default, with room for headers and framing.
 */
export const INGEST_SEND_BYTES = 768 * 1024;

/**
 * Results kept per pipeline that arrived before their caller registered its wait (a worker can
 * answer before the producer's acknowledgement reaches us). A few seconds of a busy pipeline's
 * results, about 100 bytes each.
 */
export const INGEST_EARLY_RESULTS = 50_000;

/**
 * How long a pipeline's results feed stays open after its last waiting caller (ms). Opening one
 * means joining a consumer group (a second or more), so a steady stream of callers keeps it.
 */
export const INGEST_FEED_LINGER_MS = 60_000;

/** Retry-After of a 429 when too many records are waited for (s): about one flush interval. */
export const INGEST_RETRY_AFTER_SEC = 2;

/**
 * Error-topic records read at most for one page of GET .../errors, over all partitions. With
 * envelopes of a few KB this is a few MB per page, read in well under a second.
 */
export const ERRORS_SCAN_BUDGET = 5_000;

/**
 * Longest a page's read of the error topic may take (ms), group join included (a broker's
 * group.initial.rebalance.delay.ms, 3 s by default, is part of it); what was read by then is answered.
 */
export const ERRORS_READ_TIMEOUT_MS = 8_000;

/**
 * The console's Content-Security-Policy (GET /console and its assets). Scripts, styles, images and
 * API calls only from mgmt itself; no inline code (the bundle has none), no plugins, no frames,
 * no <base> rewriting, forms post nowhere: a stolen page cannot phone home or be framed.
 */
export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * The most records one simulate request runs (issue 13's contract), and the wall-clock budget of a
 * simulation or of a pipeline's tests (ms), checked between records: each record is bounded by the
 * processors' own limits, this bounds the request.
 */
export const MAX_SIMULATED_RECORDS = 100;
export const SIMULATION_BUDGET_MS = 2_000;

/** At most this many tests per pipeline: each runs on every change. */
export const MAX_PIPELINE_TESTS = 50;
