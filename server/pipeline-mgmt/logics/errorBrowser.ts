import { InputError } from '../../common/errors';
import { RECORD_HEADERS } from '../../common/recordHeaders';
import type { Pipeline } from '../../common/pipelines';
import type { ErrorItem, ErrorService } from '../interfaces/errorService';
import type { ErrorTopicReader, PartitionRange, StoredErrorRecord } from '../interfaces/errorTopic';
import type { OffsetAdmin } from '../interfaces/offsetAdmin';
import type { PipelineService } from '../interfaces/pipelineService';

export interface ErrorBrowserSettings {
  /** Records read at most per page, over all partitions: what bounds a page's time. */
  scanBudget: number;
  /** Longest a page's read may take (ms); what was read by then is answered. */
  readTimeoutMs: number;
}

export interface ErrorBrowserDeps {
  pipelines: Pick<PipelineService, 'getPipeline'>;
  offsets: Pick<OffsetAdmin, 'logBounds' | 'offsetsAt'>;
  reader: ErrorTopicReader;
  settings: ErrorBrowserSettings;
}

/** Where the next page continues: per partition, the offset below which nothing was answered yet. */
type Cursor = Record<string, string>;

function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify(c)).toString('base64url');
}

function decodeCursor(text: string): Cursor {
  try {
    const c = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as unknown;
    if (typeof c === 'object' && c !== null && !Array.isArray(c)) {
      const entries = Object.entries(c);
      if (entries.every(([k, v]) => /^\d+$/.test(k) && typeof v === 'string' && /^\d+$/.test(v)))
        return Object.fromEntries(entries);
    }
  } catch {
    // answered below
  }
  throw new InputError(
    'the cursor is not one this endpoint gave',
    [{ path: '/cursor', message: 'is invalid' }],
    'invalid_cursor',
  );
}

const max = (a: bigint, b: bigint) => (a > b ? a : b);
const min = (a: bigint, b: bigint) => (a < b ? a : b);

function envelopeOf(r: StoredErrorRecord): Record<string, unknown> | null {
  if (!r.value) return null;
  try {
    const v = JSON.parse(r.value.toString('utf8')) as unknown;
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/**
 * Pages of a pipeline's error topic, newest first. Each page reads backwards from the cursor a
 * bounded slice of every partition (the scan budget shared among them), keeps what matches the
 * filters (stage and reason from the record headers; since / until bound the offsets by time) and
 * answers the newest `limit` of them. A page can be short, even empty, while older records remain:
 * `nextCursor` is null only when nothing is left to look at.
 */
export function createErrorBrowser(deps: ErrorBrowserDeps): ErrorService {
  const { settings } = deps;
  async function bounds(p: Pipeline, since?: Date, until?: Date) {
    const topic = p.topics.error;
    const parts = await deps.offsets.logBounds(topic);
    const lower = new Map(parts.map((x) => [x.partition, BigInt(x.logStart)]));
    const upper = new Map(parts.map((x) => [x.partition, BigInt(x.logEnd)]));
    if (since)
      for (const { partition, offset } of await deps.offsets.offsetsAt(topic, since))
        if (offset !== '-1') lower.set(partition, max(lower.get(partition) ?? 0n, BigInt(offset)));
        else lower.set(partition, upper.get(partition) ?? 0n);
    if (until)
      for (const { partition, offset } of await deps.offsets.offsetsAt(topic, until))
        if (offset !== '-1') upper.set(partition, min(upper.get(partition) ?? 0n, BigInt(offset)));
    return { partitions: parts.map((x) => x.partition), lower, upper };
  }

  return {
    async list(pipelineId, q, actor) {
      const p = await deps.pipelines.getPipeline(pipelineId, actor);
      if (q.since && q.until && q.since >= q.until)
        throw new InputError('since must be before until', [
          { path: '/since', message: 'is not before until' },
        ]);
      const cursor = q.cursor === undefined ? undefined : decodeCursor(q.cursor);
      const b = await bounds(p, q.since, q.until);
      const share = BigInt(Math.max(1, Math.floor(settings.scanBudget / Math.max(1, b.partitions.length))));
      const ranges: PartitionRange[] = [];
      for (const partition of b.partitions) {
        const lo = b.lower.get(partition) ?? 0n;
        const fromCursor = cursor?.[String(partition)];
        const hi = min(
          b.upper.get(partition) ?? 0n,
          fromCursor === undefined ? (b.upper.get(partition) ?? 0n) : BigInt(fromCursor),
        );
        if (hi <= lo) continue;
        ranges.push({ partition, from: String(max(lo, hi - share)), to: String(hi) });
      }
      const { records: read, finished } = await deps.reader.read(
        p.topics.error,
        ranges,
        settings.readTimeoutMs,
      );
      const matches = read.filter(
        (r) =>
          (q.stage === undefined || r.headers[RECORD_HEADERS.stage] === q.stage) &&
          (q.reason === undefined || r.headers[RECORD_HEADERS.errorType] === q.reason),
      );
      // Newest first; within a partition the log order (offsets), which is the order of writing.
      matches.sort(
        (x, y) =>
          y.timestamp - x.timestamp ||
          x.partition - y.partition ||
          Number(BigInt(y.offset) - BigInt(x.offset)),
      );
      const page = matches.slice(0, q.limit);

      // Per partition, where the next page reads below: the oldest record answered; else, when
      // none matched, the start of what was read (all of the slice, unless the read was cut short);
      // else (matches older than this page's) the same slice again.
      const next: Cursor = {};
      let remaining = false;
      for (const range of ranges) {
        const inPartition = (r: StoredErrorRecord) => r.partition === range.partition;
        const lowest = (rs: StoredErrorRecord[], start: bigint) =>
          rs.filter(inPartition).reduce((m, r) => min(m, BigInt(r.offset)), start);
        let below: bigint;
        if (page.some(inPartition)) below = lowest(page, BigInt(range.to));
        else if (matches.some(inPartition)) below = BigInt(range.to);
        else if (finished.includes(range.partition)) below = BigInt(range.from);
        else below = lowest(read, BigInt(range.to));
        next[String(range.partition)] = String(below);
        if (below > (b.lower.get(range.partition) ?? 0n)) remaining = true;
      }
      for (const partition of b.partitions)
        if (!ranges.some((r) => r.partition === partition)) next[String(partition)] = '0';
      const items: ErrorItem[] = page.map((r) => ({
        partition: r.partition,
        offset: r.offset,
        timestamp: new Date(r.timestamp).toISOString(),
        envelope: envelopeOf(r),
      }));
      return { items, scanned: read.length, nextCursor: remaining ? encodeCursor(next) : null };
    },
  };
}
