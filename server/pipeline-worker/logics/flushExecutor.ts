import { describeError } from '../../common/errors';
import { AbortedError, defaultIsRetriable, retry } from '../../common/retry';
import { BulkAction, BulkIndexer, BulkItemResult, BulkRequestError } from '../interfaces/bulkIndexer';
import type { FailedRecord, IndexableRecord, ParsedRecord } from '../../common/records';
import type { OutgoingMessage, RecordSink } from '../interfaces/recordSink';
import { classifyItem, classifyRequestFailure } from './bulkClassify';
import type { BulkOutcome, FlushObserver } from './flushObserver';
import type { AttemptHealth, AttemptStage } from './taskHealth';
import {
  buildErrorMessage,
  buildOutputMessages,
  DEFAULT_MAX_ERROR_VALUE_BYTES,
  PipelineRef,
} from './envelopes';

export interface FlushDeps {
  pipeline: PipelineRef & { index: string };
  indexer: BulkIndexer;
  errorSink: RecordSink;
  /** null when the pipeline's output is off. */
  outputSink: RecordSink | null;
  retry: FlushRetry;
  signal: AbortSignal;
  /** Metrics: bulk requests, retries, end-to-end latency and failures (optional). */
  observer?: FlushObserver;
  /** Where each attempt's failure or progress is counted (the task's failure accounting). */
  health: AttemptHealth;
  /**
   * OpenSearch is done with this flush (every record indexed or refused); only the Kafka sends remain.
   * The scheduler frees the flush's bulk slot here, so the next bulk request overlaps these sends.
   */
  release?(): void;
  /**
   * Applied to every failed record before it is written to the error topic (a replay adds its id
   * and the earlier attempts); absent: written as they are.
   */
  annotateFailure?(f: FailedRecord): FailedRecord;
  now?: () => Date;
  random?: () => number;
}

/** Backoff between attempts of one flush: doubling from `initialMs` up to `maxMs`, `jitter` of it random. */
export interface FlushRetry {
  initialMs: number;
  maxMs: number;
  jitter?: number;
}

export interface FlushResult {
  indexed: number;
  failed: number;
  bulkRequests: number;
}

interface Action extends BulkAction {
  record: IndexableRecord;
}

/** A bulk attempt left records to retry. */
export class RetryLaterError extends Error {
  constructor(
    readonly remaining: number,
    readonly progress: boolean,
    readonly lastError: string,
  ) {
    super(`${remaining} record(s) to retry: ${lastError}`);
    this.name = 'RetryLaterError';
  }
}

interface AttemptOutcome {
  results: Array<{
    action: Action;
    verdict: 'ok' | 'retry' | 'permanent';
    status?: number;
    type?: string;
    reason?: string;
    /** When the response that carried this item arrived (ms since the epoch). */
    ackAt?: number;
  }>;
  requests: number;
  lastError?: string;
}

function reportBulk(deps: FlushDeps, actions: Action[], sentAt: number, outcome: BulkOutcome): void {
  if (!deps.observer?.bulkRequest) return;
  let bytes = 0;
  for (const a of actions) bytes += a.source.length + a.id.length;
  const durationMs = performance.now() - sentAt;
  deps.observer.bulkRequest({ outcome, durationMs, items: actions.length, bytes });
}

/** Sends one set of actions, splitting the request when OpenSearch refuses its body as a whole. */
async function attempt(actions: Action[], deps: FlushDeps): Promise<AttemptOutcome> {
  let items: BulkItemResult<Action>[];
  const sentAt = performance.now();
  try {
    items = await deps.indexer.bulk(actions, deps.signal);
  } catch (e) {
    if (e instanceof AbortedError || deps.signal.aborted)
      throw e instanceof AbortedError ? e : new AbortedError();
    // A bug, or a root cause that says retrying cannot help: the task ends and its supervisor decides.
    if (!defaultIsRetriable(e)) throw e;
    const status = e instanceof BulkRequestError ? e.status : undefined;
    const verdict = classifyRequestFailure(status);
    reportBulk(deps, actions, sentAt, verdict === 'split' ? 'rejected' : 'error');
    if (verdict === 'split' && actions.length > 1) {
      const mid = Math.ceil(actions.length / 2);
      const a = await attempt(actions.slice(0, mid), deps);
      const b = await attempt(actions.slice(mid), deps);
      return {
        results: [...a.results, ...b.results],
        requests: 1 + a.requests + b.requests,
        lastError: b.lastError ?? a.lastError,
      };
    }
    if (verdict === 'split') {
      const type =
        (e instanceof BulkRequestError && e.errorType) ||
        (status === 413 ? 'request_entity_too_large' : 'request_rejected');
      return {
        results: [{ action: actions[0]!, verdict: 'permanent', status, type, reason: describeError(e) }],
        requests: 1,
      };
    }
    return {
      results: actions.map((action) => ({ action, verdict: 'retry' })),
      requests: 1,
      lastError: describeError(e),
    };
  }
  const ackAt = Date.now();
  let lastError: string | undefined;
  let allOk = true;
  const results = items.map((item) => {
    const verdict = classifyItem(item.status, item.error?.type);
    if (verdict !== 'ok') allOk = false;
    if (verdict === 'retry')
      lastError = `bulk item ${item.status ?? '?'} ${item.error?.type ?? ''}: ${item.error?.reason ?? ''}`;
    return {
      action: item.action,
      verdict,
      status: item.status,
      type: item.error?.type,
      reason: item.error?.reason,
      ackAt,
    };
  });
  reportBulk(deps, actions, sentAt, allOk ? 'success' : 'item_errors');
  return { results, requests: 1, lastError };
}

/** Indexes every action, retrying what OpenSearch could not take yet; returns the indexed and the refused. */
async function indexAll(
  records: IndexableRecord[],
  deps: FlushDeps,
): Promise<{ indexed: IndexableRecord[]; refused: FailedRecord[]; requests: number; latenciesMs: number[] }> {
  let pending: Action[] = records.map((record) => ({
    index: record.index ?? deps.pipeline.index,
    id: record.id,
    source: record.source,
    record,
  }));
  const indexed: IndexableRecord[] = [];
  const refused: FailedRecord[] = [];
  const latenciesMs: number[] = [];
  const timed = Boolean(deps.observer?.completed);
  let requests = 0;
  if (pending.length === 0) return { indexed, refused, requests, latenciesMs };
  await retry(
    async (attemptNo) => {
      const out = await attempt(pending, deps);
      requests += out.requests;
      const next: Action[] = [];
      // A document retried after a later write of the same _id succeeded would overwrite the newer
      // version: such later writes are sent again, after it, in order.
      const retryIds = new Set<string>();
      let progress = false;
      for (const r of out.results) {
        if (r.verdict === 'retry' || (r.verdict === 'ok' && retryIds.has(r.action.id))) {
          retryIds.add(r.action.id);
          next.push(r.action);
        } else if (r.verdict === 'ok') {
          indexed.push(r.action.record);
          if (timed) latenciesMs.push((r.ackAt ?? Date.now()) - Number(r.action.record.origin.timestamp));
          progress = true;
        } else {
          progress = true;
          const rec = r.action.record;
          refused.push({
            kind: 'failed',
            origin: rec.origin,
            stage: 'index',
            errorType: r.type ?? 'unknown',
            reason: r.reason ?? 'refused by OpenSearch',
            status: r.status,
            attempts: attemptNo,
            value:
              rec.originalText !== undefined
                ? Buffer.from(rec.originalText, 'utf8')
                : typeof rec.source === 'string'
                  ? Buffer.from(rec.source, 'utf8')
                  : rec.source,
            bytes: rec.bytes,
          });
        }
      }
      pending = next;
      if (progress) deps.health.progressed('index');
      if (pending.length > 0) throw new RetryLaterError(pending.length, progress, out.lastError ?? 'unknown');
    },
    {
      ...deps.retry,
      factor: 2,
      maxAttempts: Infinity,
      signal: deps.signal,
      random: deps.random,
      isRetriable: (e) => e instanceof RetryLaterError,
      onRetry: (e) => {
        deps.observer?.retried?.('index', pending.length);
        if (!(e instanceof RetryLaterError && e.progress)) deps.health.failed(e, 'index');
      },
    },
  );
  return { indexed, refused, requests, latenciesMs };
}

const TOO_LARGE = new Set(['MESSAGE_TOO_LARGE', 'RECORD_LIST_TOO_LARGE']);

/**
 * Whether a produce failed because a message is over the topic's size limit: the broker's error name
 * is `type` in kafkajs' errors, `apiId` in @platformatic/kafka's, somewhere in the error's causes.
 */
export function isTooLarge(e: unknown, depth = 0): boolean {
  if (!e || typeof e !== 'object' || depth > 6) return false;
  const err = e as { type?: unknown; apiId?: unknown; cause?: unknown; errors?: unknown };
  if (TOO_LARGE.has(err.type as string) || TOO_LARGE.has(err.apiId as string)) return true;
  if (Array.isArray(err.errors) && err.errors.some((x) => isTooLarge(x, depth + 1))) return true;
  return isTooLarge(err.cause, depth + 1);
}

/** Most shrinking steps a sink's messages get when the topic refuses them as too large. */
export const MAX_SHRINK_LEVEL = 3;

/**
 * Sends to a Kafka sink until acknowledged; every failed attempt counts towards the task's failures.
 * `build(level)` makes the messages; when the topic refuses one as too large, they are rebuilt one
 * level smaller (values cut further), so an oversized record is flagged, never looped on.
 */
async function sendAll(
  sink: RecordSink,
  build: (level: number) => OutgoingMessage[],
  stage: AttemptStage,
  deps: FlushDeps,
): Promise<void> {
  let level = 0;
  let messages = build(level);
  if (messages.length === 0) return;
  await retry(
    async () => {
      await sink.send(messages, deps.signal);
      deps.health.progressed(stage);
    },
    {
      ...deps.retry,
      factor: 2,
      maxAttempts: Infinity,
      signal: deps.signal,
      random: deps.random,
      isRetriable: (e) => defaultIsRetriable(e) && !(e instanceof AbortedError) && !deps.signal.aborted,
      onRetry: (e) => {
        deps.observer?.retried?.(stage, messages.length);
        if (isTooLarge(e) && level < MAX_SHRINK_LEVEL) messages = build(++level);
        deps.health.failed(e, stage);
      },
    },
  );
}

/**
 * Takes one flush's records to completion: indexes the good ones (per-item retries with backoff,
 * 413 splits), sends every record OpenSearch refused and every record that failed parsing or
 * validation to the error topic, and every indexed record to the output topic. Resolves only when all
 * of it is acknowledged; rejects with AbortedError when the task gives up, or with the error itself
 * when its root cause is not retriable (nothing may then be committed for these records).
 *
 * One flush is one unit of completion: its records that failed preparation reach the error topic
 * after its good records are indexed, so while OpenSearch is down they wait too (uncommitted, never
 * lost). That keeps the offset accounting to one completion per flush.
 */
export async function executeFlush(records: ParsedRecord[], deps: FlushDeps): Promise<FlushResult> {
  const good: IndexableRecord[] = [];
  const failed: FailedRecord[] = [];
  for (const r of records) {
    if (r.kind === 'index') good.push(r);
    else if (r.kind === 'documents') good.push(...r.documents);
    else failed.push(r);
  }
  const { indexed, refused, requests, latenciesMs } = await indexAll(good, deps);
  deps.release?.();
  failed.push(...refused);
  if (deps.annotateFailure)
    for (let i = 0; i < failed.length; i++) failed[i] = deps.annotateFailure(failed[i]!);
  const now = (deps.now ?? (() => new Date()))();
  const errorMessages = (level: number) =>
    failed.map((f) => buildErrorMessage(f, deps.pipeline, now, DEFAULT_MAX_ERROR_VALUE_BYTES >> (3 * level)));
  const outputMessages = (level: number) => buildOutputMessages(indexed, deps.pipeline.index, level > 0);
  await Promise.all([
    sendAll(deps.errorSink, errorMessages, 'error-topic', deps),
    deps.outputSink ? sendAll(deps.outputSink, outputMessages, 'output-topic', deps) : Promise.resolve(),
  ]);
  deps.observer?.completed?.(latenciesMs, failed);
  return { indexed: indexed.length, failed: failed.length, bulkRequests: requests };
}
