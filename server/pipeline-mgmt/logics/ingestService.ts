import { ConflictError, RateLimitedError } from '../../common/errors';
import type { Logger } from '../../common/logger';
import type { Pipeline } from '../../common/pipelines';
import type { IngestObserver, IngestService } from '../interfaces/ingestService';
import type { PipelineService } from '../interfaces/pipelineService';
import type { RecordProducer } from '../interfaces/recordProducer';
import type { RecordResults, ResultSubscription } from '../interfaces/recordResults';
import { PendingResults, Wait } from './pendingResults';

export interface IngestSettings {
  /** Records all callers may wait for at once; more is a 429. */
  maxPendingRecords: number;
  /** Results kept that arrived before their caller registered (per pipeline). */
  maxEarlyResults: number;
  /** A pipeline's feed stays open this long after its last wait ended (ms), for the next one. */
  feedLingerMs: number;
  /** Retry-After of a 429 for too many pending records (s). */
  retryAfterSec: number;
}

export interface IngestServiceDeps {
  pipelines: Pick<PipelineService, 'pipelineForIngest'>;
  producer: RecordProducer;
  results: RecordResults;
  observer?: IngestObserver;
  logger: Logger;
  settings: IngestSettings;
}

interface Feed {
  pending: PendingResults;
  subscription: Promise<ResultSubscription>;
  idleTimer: NodeJS.Timeout | null;
}

const noObserver: IngestObserver = { accepted() {}, rejected() {}, answered() {} };

/**
 * HTTP ingest (the original design's request/reply through Kafka): records go to the pipeline's
 * input topic and are acknowledged only once Kafka has them all. A waiting caller is answered from
 * the worker's results on the output and error topics, matched by the input records' positions;
 * each process reads those results itself, so any replica answers its own callers.
 */
export function createIngestService(deps: IngestServiceDeps): IngestService {
  const { producer, results, logger, settings } = deps;
  const observer = deps.observer ?? noObserver;
  const feeds = new Map<string, Feed>();
  const waits = new Set<Wait>();
  let waitingRecords = 0;
  let closing = false;

  function feedFor(p: Pipeline): Feed {
    let feed = feeds.get(p.id);
    if (feed) {
      if (feed.idleTimer) clearTimeout(feed.idleTimer);
      feed.idleTimer = null;
      return feed;
    }
    const pending = new PendingResults(settings.maxEarlyResults);
    const topics = {
      pipelineId: p.id,
      input: p.topics.input,
      output: p.topics.output,
      error: p.topics.error,
    };
    const subscription = results.watch(topics, (r) => pending.deliver(r));
    feed = { pending, subscription, idleTimer: null };
    feeds.set(p.id, feed);
    // A feed that could not open is dropped, so the next caller tries again.
    subscription.catch(() => {
      if (feeds.get(p.id) === feed) feeds.delete(p.id);
    });
    return feed;
  }

  function release(pipelineId: string, feed: Feed): void {
    if (feed.pending.activeWaits > 0 || closing) return;
    feed.idleTimer = setTimeout(() => {
      if (feed.pending.activeWaits > 0 || feeds.get(pipelineId) !== feed) return;
      feeds.delete(pipelineId);
      void feed.subscription.then((s) => s.close()).catch(() => undefined);
    }, settings.feedLingerMs);
    feed.idleTimer.unref();
  }

  async function waitFor(
    p: Pipeline,
    feed: Feed,
    wait: Wait,
    waitMs: number,
    signal: AbortSignal | undefined,
  ): Promise<void> {
    feed.pending.add(wait);
    waits.add(wait);
    const timer = setTimeout(() => wait.end(), waitMs);
    const onAbort = () => wait.end();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      await wait.done;
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      waits.delete(wait);
      feed.pending.remove(wait);
      release(p.id, feed);
    }
  }

  return {
    async ingest({ pipelineId, actor, records, waitMs, signal }) {
      const p = await deps.pipelines.pipelineForIngest(pipelineId, actor);
      if (p.status !== 'running') {
        observer.rejected('pipeline_not_running', records.length);
        throw new ConflictError(
          `pipeline "${p.name}" is stopped: start it (PUT .../status) before posting records`,
          'pipeline_not_running',
        );
      }
      if (waitMs === undefined) {
        await producer.produce(p.topics.input, records);
        observer.accepted(records.length);
        return { kind: 'accepted', accepted: records.length, topic: p.topics.input };
      }
      if (!p.outputEnabled) {
        observer.rejected('output_disabled', records.length);
        throw new ConflictError(
          `pipeline "${p.name}" has outputEnabled false: wait=indexed reads the results from its output topic`,
          'output_disabled',
        );
      }
      if (closing) throw new ConflictError('pipeline-mgmt is shutting down', 'shutting_down');
      if (waitingRecords + records.length > settings.maxPendingRecords) {
        observer.rejected('too_many_waits', records.length);
        throw new RateLimitedError(
          `${waitingRecords} records are already waiting for their results (at most ${settings.maxPendingRecords}); try again shortly or post without wait`,
          settings.retryAfterSec,
          'too_many_waits',
        );
      }
      waitingRecords += records.length;
      try {
        const started = Date.now();
        const feed = feedFor(p);
        // Positioned before the records are written, so none of their results can be missed.
        await feed.subscription;
        const positions = await producer.produce(p.topics.input, records);
        observer.accepted(records.length);
        const wait = new Wait(positions);
        await waitFor(p, feed, wait, Math.max(0, waitMs - (Date.now() - started)), signal);
        observer.answered(wait.outcomes);
        return { kind: 'results', complete: wait.pending === 0, results: wait.outcomes };
      } finally {
        waitingRecords -= records.length;
      }
    },
    pendingRecords: () => waitingRecords,
    async close() {
      closing = true;
      for (const w of waits) w.end();
      const all = [...feeds.values()];
      feeds.clear();
      for (const f of all) if (f.idleTimer) clearTimeout(f.idleTimer);
      await Promise.allSettled(all.map((f) => f.subscription.then((s) => s.close())));
      logger.debug({ feeds: all.length }, 'ingest closed');
    },
  };
}
