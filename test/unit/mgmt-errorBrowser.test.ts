import type { Pipeline } from '../../server/common/pipelines';
import type { Actor } from '../../server/pipeline-mgmt/interfaces/actor';
import type { ErrorItem } from '../../server/pipeline-mgmt/interfaces/errorService';
import type { PartitionRange, StoredErrorRecord } from '../../server/pipeline-mgmt/interfaces/errorTopic';
import { createErrorBrowser } from '../../server/pipeline-mgmt/logics/errorBrowser';

const viewer: Actor = { user: 'v', role: 'viewer', team: 'a', tokenId: null };
const pipeline = { id: 'p', topics: { error: 'sdp.p.error' } } as Pipeline;

/** An error topic in memory: `perPartition` records per partition, record n of partition p written at p + 3n. */
function topic(partitions: number, perPartition: number) {
  const records: StoredErrorRecord[][] = Array.from({ length: partitions }, (_, p) =>
    Array.from({ length: perPartition }, (_, n) => ({
      partition: p,
      offset: String(n),
      timestamp: 1_000_000 + p + 3 * n,
      headers: {
        'sdp-stage': n % 2 ? 'index' : 'parse',
        'sdp-error-type': n % 2 ? 'mapper_parsing_exception' : 'invalid_json',
      },
      value: Buffer.from(JSON.stringify({ stage: n % 2 ? 'index' : 'parse', n, p })),
    })),
  );
  const reads: PartitionRange[][] = [];
  const browser = (scanBudget: number) =>
    createErrorBrowser({
      pipelines: { getPipeline: async () => pipeline },
      offsets: {
        logBounds: async () =>
          records.map((r, p) => ({ partition: p, logStart: '0', logEnd: String(r.length) })),
        offsetsAt: async (_t, at) =>
          records.map((r, p) => {
            const i = r.findIndex((x) => x.timestamp >= at.getTime());
            return { partition: p, offset: i < 0 ? '-1' : String(i) };
          }),
      },
      reader: {
        read: async (_t, ranges) => {
          reads.push([...ranges]);
          return {
            records: ranges.flatMap((g) => records[g.partition]!.slice(Number(g.from), Number(g.to))),
            finished: ranges.map((g) => g.partition),
          };
        },
      },
      settings: { scanBudget, readTimeoutMs: 1000 },
    });
  return { browser, reads };
}

async function all(list: (cursor?: string) => Promise<{ items: ErrorItem[]; nextCursor: string | null }>) {
  const seen: ErrorItem[] = [];
  let cursor: string | undefined;
  for (let pages = 0; pages < 100; pages++) {
    const page = await list(cursor);
    seen.push(...page.items);
    if (!page.nextCursor) return { seen, pages: pages + 1 };
    cursor = page.nextCursor;
  }
  throw new Error('no last page');
}

describe('error browser', () => {
  it('pages through every record exactly once, newest first', async () => {
    const { browser } = topic(3, 20);
    const b = browser(12);
    const { seen, pages } = await all((cursor) => b.list('p', { limit: 5, cursor }, viewer));
    expect(seen).toHaveLength(60);
    expect(new Set(seen.map((i) => `${i.partition}:${i.offset}`)).size).toBe(60);
    const times = seen.map((i) => Date.parse(i.timestamp));
    expect(times).toEqual([...times].sort((x, y) => y - x));
    expect(pages).toBeGreaterThanOrEqual(12);
    expect(seen[0]).toMatchObject({ partition: 2, offset: '19', envelope: { stage: 'index', n: 19, p: 2 } });
  });

  it('filters by stage and reason from the headers, and bounds by time', async () => {
    const { browser } = topic(2, 30);
    const b = browser(1000);
    const index = await all((cursor) => b.list('p', { limit: 7, cursor, stage: 'index' }, viewer));
    expect(index.seen).toHaveLength(30);
    expect(index.seen.every((i) => i.envelope?.stage === 'index')).toBe(true);
    const json = await all((cursor) => b.list('p', { limit: 100, cursor, reason: 'invalid_json' }, viewer));
    expect(json.seen).toHaveLength(30);
    // Written at p + 3n: since 1_000_030 and until 1_000_060 keep n = 10..19 of each partition.
    const window = await all((cursor) =>
      b.list('p', { limit: 100, cursor, since: new Date(1_000_030), until: new Date(1_000_060) }, viewer),
    );
    expect(window.seen.map((i) => Number(i.offset)).sort((x, y) => x - y)).toEqual(
      Array.from({ length: 10 }, (_, k) => [10 + k, 10 + k]).flat(),
    );
  });

  it('reads at most the scan budget per page, shared among the partitions', async () => {
    const { browser, reads } = topic(4, 1000);
    const page = await browser(400).list('p', { limit: 500 }, viewer);
    expect(page.items).toHaveLength(400);
    expect(page.scanned).toBe(400);
    expect(reads[0]!.map((r) => [r.partition, r.from, r.to])).toEqual([
      [0, '900', '1000'],
      [1, '900', '1000'],
      [2, '900', '1000'],
      [3, '900', '1000'],
    ]);
    expect(page.nextCursor).not.toBeNull();
  });

  it('refuses a cursor it did not give and since after until', async () => {
    const b = topic(1, 1).browser(10);
    await expect(b.list('p', { limit: 1, cursor: 'nonsense' }, viewer)).rejects.toMatchObject({
      code: 'invalid_cursor',
    });
    await expect(
      b.list('p', { limit: 1, since: new Date(2000), until: new Date(1000) }, viewer),
    ).rejects.toMatchObject({ code: 'invalid_request' });
  });
});
