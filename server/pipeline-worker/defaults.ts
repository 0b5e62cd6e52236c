/**
 * The worker's internal tuning, in one place: each value with its unit and why it is what it is.
 * What users may change is in the configuration (server.*, kafka.*); these are not meant to be.
 */

/** How often the pipelines table is read (ms): a create, update or stop reaches the workers within this. */
export const PIPELINE_POLL_INTERVAL_MS = 2_000;

/**
 * How often the heartbeat and the task rows are written (ms): ten reports fit in the default
 * `server.workerHeartbeatTimeoutSec` (30 s), so a few lost writes never make a worker look dead.
 */
export const STATUS_REPORT_INTERVAL_MS = 3_000;

/** Workers silent this long (ms) are removed with their task rows: four heartbeat timeouts, well past a GC pause. */
export const STALE_WORKER_MS = 120_000;

/** Stale workers are swept every this many status reports (one query a minute, not every report). */
export const STALE_WORKER_SWEEP_EVERY_REPORTS = 20;

/**
 * Bulk requests of one task with OpenSearch at once: two, so the next request is built and sent while
 * one is indexed. With an idField it is one, so two writes of one `_id` stay in order.
 */
export const MAX_BULK_IN_FLIGHT = 2;

/** How often a task commits finished offsets besides after each flush, and retries a failed commit (ms). */
export const COMMIT_INTERVAL_MS = 5_000;

/**
 * Random share of each flush backoff (server.retryInitialMs ... retryMaxMs): small, so that
 * `failureThreshold` failures always span the outage the schedule promises (126 s with the defaults),
 * yet enough to spread tasks that failed together.
 */
export const FLUSH_RETRY_JITTER = 0.1;

/** Longest a fetch waits on the broker for new data (ms); also the pace of a fully paused consumer's polls. */
export const CONSUMER_MAX_WAIT_MS = 200;

/**
 * kafkajs retries inside the consumer (about 40 s in all) before it crashes and restarts itself:
 * long enough for a broker restart, short enough that a lost broker shows in the task's status.
 */
export const CONSUMER_RETRY = { retries: 8, initialRetryTime: 300, maxRetryTime: 10_000 };

/**
 * kafkajs retries inside one produce call (about 15 s): bounded, so a send fails and is retried by
 * the task's own backoff, where it counts towards `failureThreshold`, instead of hanging.
 */
export const PRODUCER_RETRY = { retries: 5, initialRetryTime: 300, maxRetryTime: 5_000 };

/** How often a worker with room looks for a replay to claim (ms). */
export const REPLAY_POLL_INTERVAL_MS = 2_000;

/** Replays one worker performs at once: one, beside its pipeline tasks, so live traffic keeps the rest. */
export const MAX_REPLAYS_PER_WORKER = 1;

/** Most error-topic records a replay reads, indexes and saves as one batch (fewer at low rates). */
export const REPLAY_MAX_CHUNK = 500;

/** A replay taken over this many times after its worker went silent is marked failed instead. */
export const MAX_REPLAY_CLAIMS = 5;
