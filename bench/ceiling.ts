import type { Client } from '@opensearch-project/opensearch';

export interface CeilingResult {
  docsPerSec: number;
  batchDocs: number;
  concurrency: number;
  seconds: number;
}

/**
 * The best direct loader we can write: pre-serialised NDJSON bulk bodies, no client-side retries,
 * several requests in flight. Tries each (batch, concurrency) setting and keeps the fastest.
 */
export async function measureCeiling(
  client: Client,
  baseUrl: string,
  createIndex: (name: string) => Promise<void>,
  docs: string[],
  settings: Array<{ batchDocs: number; concurrency: number }>,
): Promise<{ best: CeilingResult; all: CeilingResult[] }> {
  const all: CeilingResult[] = [];
  for (const s of settings) {
    const index = `bench-ceiling-${Date.now()}`;
    await createIndex(index);
    const bodies: string[] = [];
    for (let i = 0; i < docs.length; i += s.batchDocs) {
      const parts: string[] = [];
      for (let j = i; j < Math.min(docs.length, i + s.batchDocs); j++) {
        parts.push(`{"index":{"_index":"${index}","_id":"c-${j}"}}`, docs[j] as string);
      }
      bodies.push(parts.join('\n') + '\n');
    }
    let next = 0;
    const started = process.hrtime.bigint();
    const lane = async () => {
      while (next < bodies.length) {
        const body = bodies[next++] as string;
        const res = await fetch(`${baseUrl}/_bulk`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-ndjson' },
          body,
        });
        const parsed = (await res.json()) as { errors?: boolean };
        if (!res.ok || parsed.errors) throw new Error(`ceiling bulk failed: HTTP ${res.status}`);
      }
    };
    await Promise.all(Array.from({ length: s.concurrency }, lane));
    await client.indices.refresh({ index });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const count = (await client.count({ index })).body.count;
    if (count !== docs.length) throw new Error(`ceiling indexed ${count} of ${docs.length}`);
    all.push({
      docsPerSec: docs.length / seconds,
      batchDocs: s.batchDocs,
      concurrency: s.concurrency,
      seconds,
    });
    await client.indices.delete({ index });
  }
  const best = all.reduce((a, b) => (b.docsPerSec > a.docsPerSec ? b : a));
  return { best, all };
}
