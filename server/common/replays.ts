/**
 * Replays of a pipeline's failed records (issue 14): the shared vocabulary of pipeline-mgmt, which
 * creates, lists and cancels them, and pipeline-worker, which claims and performs them. One row of
 * `pipeline_replays` per replay (migration 010).
 */

export const REPLAYS_TABLE = 'pipeline_replays';

export const REPLAY_STATUSES = ['running', 'succeeded', 'failed', 'cancelled'] as const;
export type ReplayStatus = (typeof REPLAY_STATUSES)[number];

/** Records replayed per second when the request names no rate. */
export const DEFAULT_REPLAY_RATE_PER_SEC = 500;
/** Highest rate a replay may ask for (records per second). */
export const MAX_REPLAY_RATE_PER_SEC = 10_000;
/** Most records one replay may take (its `maxRecords`, and the bound when none is given). */
export const MAX_REPLAY_RECORDS = 10_000_000;
/** Entries kept in a dry run's sample. */
export const DRY_RUN_SAMPLE_SIZE = 20;

/** Which failed records a replay takes; every given condition must hold. */
export interface ReplayFilter {
  /** The envelope's stage (`parse`, `validate`, `transform`, `schema`, `index`). */
  stage?: string;
  /** The envelope's `errorType` (the parser's class or OpenSearch's error type). */
  reason?: string;
  /** Written to the error topic at or after (ISO time). */
  since?: string;
  /** Written to the error topic before (ISO time). */
  until?: string;
  /** A CEL condition over the envelope, as `doc` (`doc.errorType == "invalid_json"`). */
  if?: string;
}

export interface ReplayOptions {
  dryRun: boolean;
  /** Stop after this many matching records (null: all of them). */
  maxRecords: number | null;
  ratePerSec: number;
}

/** What a replay did so far. */
export interface ReplayCounters {
  /** Error-topic records read. */
  scanned: number;
  /** Of those, the ones the filter took. */
  matched: number;
  /** Matched records taken through the pipeline (matched, minus those past maxRecords or unreadable). */
  replayed: number;
  /** Documents indexed (a split record counts each of its documents); a dry run: would be. */
  indexed: number;
  /** Records that failed again (back in the error topic; a dry run: would). */
  failedAgain: number;
  /** Matched records that could not be rebuilt (a truncated or unreadable envelope). */
  skipped: number;
}

export const ZERO_COUNTERS: ReplayCounters = Object.freeze({
  scanned: 0,
  matched: 0,
  replayed: 0,
  indexed: 0,
  failedAgain: 0,
  skipped: 0,
});

/** One entry of a dry run's sample: where the record came from and what would happen to it. */
export interface DryRunSample {
  /** The error-topic record. */
  errorPartition: number;
  errorOffset: string;
  /** The original record. */
  source: { topic: string; partition: number; offset: string };
  outcome: 'index' | 'fail' | 'skip';
  /** outcome index: the `_id`s and indices its documents get. */
  documents?: Array<{ id: string; index: string }>;
  /** outcome fail / skip: why. */
  stage?: string;
  errorType?: string;
  reason?: string;
}

/** What a dry run found: counts per outcome (`index`, `fail:<stage>:<errorType>`, `skip:<why>`) and a sample. */
export interface DryRunReport {
  outcomes: Record<string, number>;
  sample: DryRunSample[];
}

/** Per error-topic partition, an offset (as a string). */
export type PartitionOffsetMap = Record<string, string>;

/** One row of `pipeline_replays`. */
export interface ReplayRow {
  id: string;
  pipeline_id: string;
  status: string;
  dry_run: number | boolean;
  filter: string;
  max_records: number | string | null;
  rate_per_sec: number;
  start_offsets: string;
  end_offsets: string;
  positions: string;
  scanned: number | string;
  matched: number | string;
  replayed: number | string;
  indexed: number | string;
  failed_again: number | string;
  skipped: number | string;
  report: string | null;
  owner_worker: string | null;
  heartbeat_at: Date | null;
  claims: number;
  reason: string | null;
  created_by: string;
  created_at: Date;
  ended_at: Date | null;
}

/** A replay as both services see it. */
export interface Replay {
  id: string;
  pipelineId: string;
  status: ReplayStatus;
  filter: ReplayFilter;
  options: ReplayOptions;
  /** Where the replay started reading, per error-topic partition. */
  startOffsets: PartitionOffsetMap;
  /** The error topic's end offsets when the replay was created: it reads up to these (exclusive). */
  endOffsets: PartitionOffsetMap;
  /** Where it has read to, per partition: everything below is done (indexed or back in the error topic). */
  positions: PartitionOffsetMap;
  counters: ReplayCounters;
  report: DryRunReport | null;
  ownerWorker: string | null;
  heartbeatAt: string | null;
  /** How many times a worker took it (more than one: it was resumed after its worker stopped). */
  claims: number;
  /** Why it failed or was cancelled. */
  reason: string | null;
  createdBy: string;
  createdAt: string;
  endedAt: string | null;
}

function parseJson<T>(text: string | null, fallback: T): T {
  if (text === null || text === '') return fallback;
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}

const num = (v: number | string | null) => (v === null ? 0 : Number(v));

export function replayFromRow(row: ReplayRow): Replay {
  return {
    id: row.id,
    pipelineId: row.pipeline_id,
    status: (REPLAY_STATUSES as readonly string[]).includes(row.status)
      ? (row.status as ReplayStatus)
      : 'failed',
    filter: parseJson<ReplayFilter>(row.filter, {}),
    options: {
      dryRun: Boolean(row.dry_run),
      maxRecords: row.max_records === null ? null : Number(row.max_records),
      ratePerSec: Number(row.rate_per_sec),
    },
    startOffsets: parseJson<PartitionOffsetMap>(row.start_offsets, {}),
    endOffsets: parseJson<PartitionOffsetMap>(row.end_offsets, {}),
    positions: parseJson<PartitionOffsetMap>(row.positions, {}),
    counters: {
      scanned: num(row.scanned),
      matched: num(row.matched),
      replayed: num(row.replayed),
      indexed: num(row.indexed),
      failedAgain: num(row.failed_again),
      skipped: num(row.skipped),
    },
    report: parseJson<DryRunReport | null>(row.report, null),
    ownerWorker: row.owner_worker,
    heartbeatAt: row.heartbeat_at ? new Date(row.heartbeat_at).toISOString() : null,
    claims: Number(row.claims),
    reason: row.reason,
    createdBy: row.created_by,
    createdAt: new Date(row.created_at).toISOString(),
    endedAt: row.ended_at ? new Date(row.ended_at).toISOString() : null,
  };
}

/** The counter columns of a row. */
export function countersToRow(c: ReplayCounters) {
  return {
    scanned: c.scanned,
    matched: c.matched,
    replayed: c.replayed,
    indexed: c.indexed,
    failed_again: c.failedAgain,
    skipped: c.skipped,
  };
}

/** Longest failure reason stored. */
export const MAX_REPLAY_REASON_CHARS = 4000;

export function reasonColumn(reason: string): string {
  return reason.length > MAX_REPLAY_REASON_CHARS ? `${reason.slice(0, MAX_REPLAY_REASON_CHARS)}...` : reason;
}
