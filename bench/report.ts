import type { CeilingResult } from './ceiling';

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[idx] as number;
}

export function printReport(result: Record<string, unknown>, ceilings: CeilingResult[], json: boolean): void {
  const rows: Array<[string, string]> = [
    ['OpenSearch ceiling (direct _bulk)', `${result.ceiling_docs_per_s} docs/s`],
    ['sdp, one worker, end to end', `${result.sdp_docs_per_s} docs/s (incl. start-up)`],
    ['sdp, one worker, first to last doc', `${result.sdp_steady_docs_per_s} docs/s`],
    ['ratio (steady / ceiling)', String(result.ratio)],
    [
      'latency p50 / p95 / p99',
      `${result.p50_latency_ms} / ${result.p95_latency_ms} / ${result.p99_latency_ms} ms`,
    ],
    ['latency load, samples', `${result.latency_rate_docs_per_s} docs/s, ${result.latency_samples} probes`],
    ['worker peak RSS', `${result.worker_peak_rss_mb} MB`],
    ['worker CPU while draining', `${result.worker_cpu_cores} cores`],
    ['records valid / invalid', `${result.valid} / ${result.invalid}`],
    ['indexed / error records', `${result.indexed} / ${result.error_records} (exact: ${result.exact})`],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  const out = [
    '',
    ...ceilings.map(
      (c) =>
        `ceiling try: batch ${c.batchDocs} x ${c.concurrency} in flight -> ${Math.round(c.docsPerSec)} docs/s`,
    ),
    '',
    ...rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`),
    '',
  ];
  process.stdout.write(out.join('\n') + '\n');
  if (json) process.stdout.write(JSON.stringify(result) + '\n');
}
