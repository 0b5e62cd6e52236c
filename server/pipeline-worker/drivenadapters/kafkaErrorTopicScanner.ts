import { randomBytes } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import { DependencyError } from '../../common/errors';
import type { Logger } from '../../common/logger';
import type { ErrorTopicScanner, ScanChunk, ScannedRecord, ScanRange } from '../interfaces/errorTopicScanner';
import { CONSUMER_MAX_WAIT_MS, CONSUMER_RETRY } from '../defaults';

/** Bytes fetched per partition at once: what a scan holds in memory besides the chunk in hand. */
const SCAN_MAX_BYTES_PER_PARTITION = 1024 * 1024;

interface PartitionState {
  pos: bigint;
  to: bigint;
  done: boolean;
}

/**
 * Reads an error topic through a consumer in a one-off group (kafkajs has no group-less fetch): it
 * joins, seeks each partition to its range's start (again after any rejoin, to where it got to),
 * and hands over chunks in offset order, awaiting each, so the caller's pace is the read's pace. The
 * group is deleted when the scan ends; nothing is committed.
 */
export function createKafkaErrorTopicScanner({
  kafka,
  logger,
  sessionTimeoutMs = 30_000,
}: {
  kafka: Kafka;
  logger: Logger;
  sessionTimeoutMs?: number;
}): ErrorTopicScanner {
  return {
    async scan(topic, ranges, onChunk, { maxChunk, signal }) {
      const state = new Map<number, PartitionState>();
      for (const r of ranges as ScanRange[]) {
        const pos = BigInt(r.from);
        const to = BigInt(r.to);
        state.set(r.partition, { pos, to, done: pos >= to });
      }
      const open = () => [...state.values()].some((s) => !s.done);
      if (!open() || signal.aborted) return;
      const groupId = `sdp-worker-replay-${randomBytes(6).toString('hex')}`;
      const consumer = kafka.consumer({
        groupId,
        maxWaitTimeInMs: CONSUMER_MAX_WAIT_MS,
        sessionTimeout: sessionTimeoutMs,
        heartbeatInterval: Math.max(500, Math.floor(sessionTimeoutMs / 10)),
        maxBytesPerPartition: SCAN_MAX_BYTES_PER_PARTITION,
        maxBytes: SCAN_MAX_BYTES_PER_PARTITION * 4,
        retry: CONSUMER_RETRY,
      });
      const admin = kafka.admin();
      let failure: unknown = null;
      let finish!: () => void;
      const done = new Promise<void>((resolve) => (finish = resolve));
      const onAbort = () => finish();
      signal.addEventListener('abort', onAbort, { once: true });
      const pauseDone = () => {
        const partitions = [...state].filter(([, s]) => s.done).map(([p]) => p);
        if (partitions.length > 0) consumer.pause([{ topic, partitions }]);
      };
      try {
        await Promise.all([consumer.connect(), admin.connect()]);
        consumer.on(consumer.events.CRASH, (e) => {
          const err = (e.payload as { error?: unknown }).error;
          if (!(e.payload as { restart?: boolean }).restart) {
            failure ??= err ?? new Error('the replay consumer crashed');
            finish();
          } else logger.warn({ err }, 'replay consumer crashed; kafkajs restarts it');
        });
        await consumer.subscribe({ topics: [topic], fromBeginning: true });
        consumer.on(consumer.events.GROUP_JOIN, () => {
          for (const [partition, s] of state)
            if (!s.done) consumer.seek({ topic, partition, offset: String(s.pos) });
          pauseDone();
        });
        await consumer.run({
          autoCommit: false,
          eachBatchAutoResolve: false,
          partitionsConsumedConcurrently: 1,
          eachBatch: async ({ batch, heartbeat, isRunning, isStale }) => {
            const s = state.get(batch.partition);
            if (!s || s.done || failure !== null || signal.aborted) return;
            let chunk: ScannedRecord[] = [];
            const deliver = async (next: bigint) => {
              const c: ScanChunk = { partition: batch.partition, records: chunk, next: String(next) };
              chunk = [];
              await onChunk(c);
              s.pos = next;
              await heartbeat();
            };
            try {
              let reachedEnd = false;
              for (const m of batch.messages) {
                if (!isRunning() || isStale() || signal.aborted) return;
                const offset = BigInt(m.offset);
                if (offset < s.pos) continue;
                if (offset >= s.to) {
                  reachedEnd = true;
                  break;
                }
                chunk.push({
                  partition: batch.partition,
                  offset: m.offset,
                  timestamp: Number(m.timestamp),
                  value: m.value ? Buffer.from(m.value) : null,
                });
                if (chunk.length >= maxChunk) await deliver(offset + 1n);
              }
              if (chunk.length > 0) {
                const last = BigInt(chunk[chunk.length - 1]!.offset);
                await deliver(last + 1n);
              }
              // At the range's end, or at the end of what the log holds (nothing more can come below `to`).
              const hw = BigInt(batch.highWatermark);
              if (reachedEnd || s.pos >= s.to || (BigInt(batch.lastOffset()) + 1n >= hw && hw <= s.to)) {
                if (s.pos < s.to) {
                  // An empty chunk moves the position to the end (a gap, or records removed by retention).
                  chunk = [];
                  await deliver(s.to);
                }
                s.done = true;
                pauseDone();
                if (!open()) finish();
              }
            } catch (e) {
              failure ??= e;
              finish();
            }
          },
        });
        await done;
      } catch (e) {
        failure ??= new DependencyError(`cannot read ${topic}`, { cause: e });
      } finally {
        signal.removeEventListener('abort', onAbort);
        await consumer.disconnect().catch(() => undefined);
        await admin.deleteGroups([groupId]).catch(() => undefined);
        await admin.disconnect().catch(() => undefined);
      }
      if (failure !== null) throw failure;
    },
  };
}
